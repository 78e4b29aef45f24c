/* crs.c — source CRS → WGS84 lon/lat: PROJ for real CRSs, the published
 * formulas for the Chinese web-map offsets GCJ-02 and BD-09.
 *
 * Invariants: a struct crs_xform is one of four kinds; only the PROJ kind owns
 * a PJ_CONTEXT (its own, so transforms on different threads never share one)
 * and a PJ already normalized for visualization, so every transform takes
 * easting/longitude first and gives longitude, latitude in degrees.  PROJ never
 * writes to stderr: its log goes into the transform's buffer and from there
 * into our error messages.  A transformed point is always finite with
 * |lat| <= 90; anything else fails the call at that point.
 *
 * GCJ-02 and BD-09 are defined only by their forward formulas (WGS84 → GCJ-02
 * → BD-09).  The inverses are fixed-point iterations on those formulas: their
 * Jacobians differ from the identity by ~1e-3, so each step gains about three
 * decimal digits and 3–5 steps reach the 1e-9° (0.1 mm) stopping threshold. */
#include "data/crs.h"

#include <assert.h>
#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum crs_kind {
	CRS_KIND_IDENTITY,
	CRS_KIND_PROJ,
	CRS_KIND_GCJ02,
	CRS_KIND_BD09,
};

/* Long enough for "EPSG:4547" or a short PROJ string; a WKT is clipped. */
#define CRS_NAME_MAX 64

struct crs_xform {
	enum crs_kind kind;
	PJ_CONTEXT *ctx;		/* CRS_KIND_PROJ only, else NULL */
	PJ *op;			/* CRS_KIND_PROJ only: source → EPSG:4326, GIS order */
	char name[CRS_NAME_MAX];	/* as given, clipped, for messages */
	char log[256];		/* PROJ's last error-level log message, "" if none */
};

/* ---- Opening ---------------------------------------------------------- */

/* Keep PROJ's last error instead of letting it print to stderr: a loader
 * reports through its error buffer, and a server's stderr is no place for
 * "proj_create: crs not found". */
static void crs_log(void *app_data, int level, const char *msg)
{
	struct crs_xform *x = app_data;

	if (level > PJ_LOG_ERROR || !msg)
		return;
	/* "proj_create: crs not found" → "crs not found": the function name
	 * means nothing to someone fixing a dataset config. */
	if (strncmp(msg, "proj_", 5) == 0) {
		const char *colon = strstr(msg, ": ");
		if (colon)
			msg = colon + 2;
	}
	snprintf(x->log, sizeof x->log, "%s", msg);
}

/* The last PROJ error as text: the log when PROJ logged one, else errno's
 * text.  The log is more specific ("crs not found", "Unknown projection")
 * where errno says only "Unknown error (code 4096)" or "Invalid PROJ string
 * syntax"; a failed point often sets errno without logging. */
static const char *crs_proj_reason(const struct crs_xform *x, int err)
{
	const char *s = NULL;

	if (x->log[0])
		return x->log;
	if (err != 0)
		s = proj_context_errno_string(x->ctx, err);
	return s ? s : "no reason given by PROJ";
}

static void crs_set_name(struct crs_xform *x, const char *name)
{
	size_t len = strlen(name);

	if (len < sizeof x->name) {
		memcpy(x->name, name, len + 1);
	} else {
		memcpy(x->name, name, sizeof x->name - 4);
		memcpy(x->name + sizeof x->name - 4, "...", 4);
	}
}

static enum crs_kind crs_builtin_kind(const char *name)
{
	if (!name || !name[0] || strcasecmp(name, "WGS84") == 0 ||
	    strcasecmp(name, "EPSG:4326") == 0)
		return CRS_KIND_IDENTITY;
	if (strcasecmp(name, "GCJ02") == 0 || strcasecmp(name, "GCJ-02") == 0)
		return CRS_KIND_GCJ02;
	if (strcasecmp(name, "BD09") == 0 || strcasecmp(name, "BD-09") == 0)
		return CRS_KIND_BD09;
	return CRS_KIND_PROJ;
}

/* Our points are 2D: a geographic or projected CRS, possibly inside a
 * compound or bound CRS.  A geocentric CRS would accept (X, Y, 0) and return
 * a plausible-looking wrong answer, so it is refused up front. */
static int crs_is_horizontal(PJ_CONTEXT *ctx, const PJ *crs)
{
	switch (proj_get_type(crs)) {
	case PJ_TYPE_GEOGRAPHIC_2D_CRS:
	case PJ_TYPE_GEOGRAPHIC_3D_CRS:
	case PJ_TYPE_PROJECTED_CRS:
	case PJ_TYPE_COMPOUND_CRS:
		return 1;
	case PJ_TYPE_BOUND_CRS: {
		PJ *base = proj_get_source_crs(ctx, crs);
		int ok = base && crs_is_horizontal(ctx, base);
		proj_destroy(base);
		return ok;
	}
	default:
		return 0;
	}
}

enum yz_err crs_open(const char *name, struct crs_xform **out, struct yz_errbuf *eb)
{
	struct crs_xform *x;
	char *def = NULL;
	PJ *src = NULL, *dst = NULL, *op = NULL;
	enum yz_err err = YZ_OK;

	assert(out);
	*out = NULL;
	x = calloc(1, sizeof *x);
	if (!x)
		return yz_fail(eb, YZ_ENOMEM, "CRS: out of memory");
	crs_set_name(x, name ? name : "");
	x->kind = crs_builtin_kind(name);
	if (x->kind != CRS_KIND_PROJ)
		goto done;

	x->ctx = proj_context_create();
	if (!x->ctx) {
		err = yz_fail(eb, YZ_ENOMEM, "CRS \"%s\": cannot create a PROJ context",
			      x->name);
		goto done;
	}
	proj_log_func(x->ctx, x, crs_log);
	proj_log_level(x->ctx, PJ_LOG_ERROR);
	/* Loading must not block on, or depend on, a CDN for grids. */
	proj_context_set_enable_network(x->ctx, 0);

	/* A bare PROJ string ("+proj=tmerc +lon_0=114 ...", as .prj-less Chinese
	 * data often gives) is an operation, not a CRS, to proj_create; crs_to_crs
	 * would then silently compute nonsense.  Say what is meant, as cs2cs does. */
	if (name[0] == '+' && !strstr(name, "type=crs")) {
		size_t len = strlen(name);
		def = malloc(len + sizeof " +type=crs");
		if (!def) {
			err = yz_fail(eb, YZ_ENOMEM, "CRS \"%s\": out of memory", x->name);
			goto done;
		}
		memcpy(def, name, len);
		memcpy(def + len, " +type=crs", sizeof " +type=crs");
	}

	src = proj_create(x->ctx, def ? def : name);
	if (!src) {
		err = yz_fail(eb, YZ_ECRS, "unknown CRS \"%s\": %s", x->name,
			      crs_proj_reason(x, proj_context_errno(x->ctx)));
		goto done;
	}
	if (!proj_is_crs(src) || !crs_is_horizontal(x->ctx, src)) {
		err = yz_fail(eb, YZ_ECRS,
			      "CRS \"%s\" is not a geographic or projected 2D CRS", x->name);
		goto done;
	}
	x->log[0] = '\0';
	dst = proj_create(x->ctx, "EPSG:4326");
	if (!dst) {
		err = yz_fail(eb, YZ_ECRS, "CRS \"%s\": PROJ does not know EPSG:4326 (%s); "
			      "is proj.db installed?", x->name,
			      crs_proj_reason(x, proj_context_errno(x->ctx)));
		goto done;
	}
	op = proj_create_crs_to_crs_from_pj(x->ctx, src, dst, NULL, NULL);
	if (!op) {
		err = yz_fail(eb, YZ_ECRS, "CRS \"%s\": no transformation to WGS84: %s",
			      x->name, crs_proj_reason(x, proj_context_errno(x->ctx)));
		goto done;
	}
	x->op = proj_normalize_for_visualization(x->ctx, op);
	if (!x->op) {
		err = yz_fail(eb, YZ_ECRS, "CRS \"%s\": cannot normalize axis order: %s",
			      x->name, crs_proj_reason(x, proj_context_errno(x->ctx)));
		goto done;
	}

done:
	proj_destroy(op);
	proj_destroy(dst);
	proj_destroy(src);
	free(def);
	if (err != YZ_OK) {
		crs_free(x);
		return err;
	}
	*out = x;
	return YZ_OK;
}

int crs_is_identity(const struct crs_xform *x)
{
	return x->kind == CRS_KIND_IDENTITY;
}

void crs_free(struct crs_xform *x)
{
	if (!x)
		return;
	proj_destroy(x->op);
	if (x->ctx)
		proj_context_destroy(x->ctx);
	free(x);
}

/* ---- Transforming ----------------------------------------------------- */

/* One point through PROJ.  Returns PROJ's errno (0 on success); the caller
 * still checks the result, since a ballpark transform can "succeed" with a
 * latitude of 100. */
static int crs_proj_point(struct crs_xform *x, double e, double n, double *lon, double *lat)
{
	/* t = HUGE_VAL means "no epoch": a time-dependent Helmert then uses its
	 * reference epoch instead of extrapolating to year 0. */
	PJ_COORD c = proj_coord(e, n, 0, HUGE_VAL);

	proj_errno_reset(x->op);
	x->log[0] = '\0';
	c = proj_trans(x->op, PJ_FWD, c);
	*lon = c.xy.x;
	*lat = c.xy.y;
	return proj_errno(x->op);
}

enum yz_err crs_to_wgs84(struct crs_xform *x, double *xs, double *ys, size_t n,
			 struct yz_errbuf *eb)
{
	for (size_t i = 0; i < n; i++) {
		double lon = xs[i], lat = ys[i];
		int perr = 0;

		if (!isfinite(lon) || !isfinite(lat))
			return yz_fail(eb, YZ_ECRS, "CRS \"%s\": point %zu (%.10g, %.10g): "
				       "coordinate is not a finite number", x->name, i, lon, lat);
		switch (x->kind) {
		case CRS_KIND_IDENTITY:
			break;
		case CRS_KIND_PROJ:
			perr = crs_proj_point(x, xs[i], ys[i], &lon, &lat);
			break;
		case CRS_KIND_GCJ02:
			crs_gcj02_to_wgs84(xs[i], ys[i], &lon, &lat);
			break;
		case CRS_KIND_BD09:
			crs_bd09_to_wgs84(xs[i], ys[i], &lon, &lat);
			break;
		}
		if (!isfinite(lon) || !isfinite(lat) || fabs(lat) > 90.0) {
			const char *why = perr || x->log[0] ? crs_proj_reason(x, perr)
							    : "result is not a valid longitude/latitude";
			return yz_fail(eb, YZ_ECRS, "CRS \"%s\": point %zu (%.10g, %.10g): "
				       "cannot be transformed to WGS84: %s",
				       x->name, i, xs[i], ys[i], why);
		}
		xs[i] = lon;
		ys[i] = lat;
	}
	return YZ_OK;
}

/* ---- GCJ-02 and BD-09 ------------------------------------------------- */

/* The constants of the published code, digit for digit: the Krasovsky 1940
 * ellipsoid and BD-09's "x_pi".  Changing any of them moves every point. */
#define CRS_PI 3.1415926535897932384626
#define CRS_GCJ_A 6378245.0
#define CRS_GCJ_EE 0.00669342162296594323
#define CRS_BD_X_PI (CRS_PI * 3000.0 / 180.0)

/* Stop the inverses when the forward image is this close to the input
 * (1e-9° ≈ 0.1 mm); the bound on steps only matters at the edge of the
 * out-of-China box, where the forward map jumps and no exact preimage may
 * exist. */
#define CRS_INV_EPS_DEG 1e-9
#define CRS_INV_MAX_STEPS 30

/* The published mainland-China test; outside it GCJ-02 is WGS84. */
static int crs_out_of_china(double lon, double lat)
{
	return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

static double crs_gcj_dlat(double x, double y)
{
	double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y +
		   0.2 * sqrt(fabs(x));
	r += (20.0 * sin(6.0 * x * CRS_PI) + 20.0 * sin(2.0 * x * CRS_PI)) * 2.0 / 3.0;
	r += (20.0 * sin(y * CRS_PI) + 40.0 * sin(y / 3.0 * CRS_PI)) * 2.0 / 3.0;
	r += (160.0 * sin(y / 12.0 * CRS_PI) + 320.0 * sin(y * CRS_PI / 30.0)) * 2.0 / 3.0;
	return r;
}

static double crs_gcj_dlon(double x, double y)
{
	double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x));
	r += (20.0 * sin(6.0 * x * CRS_PI) + 20.0 * sin(2.0 * x * CRS_PI)) * 2.0 / 3.0;
	r += (20.0 * sin(x * CRS_PI) + 40.0 * sin(x / 3.0 * CRS_PI)) * 2.0 / 3.0;
	r += (150.0 * sin(x / 12.0 * CRS_PI) + 300.0 * sin(x / 30.0 * CRS_PI)) * 2.0 / 3.0;
	return r;
}

void crs_wgs84_to_gcj02(double lon, double lat, double *out_lon, double *out_lat)
{
	if (crs_out_of_china(lon, lat)) {
		*out_lon = lon;
		*out_lat = lat;
		return;
	}
	double dlat = crs_gcj_dlat(lon - 105.0, lat - 35.0);
	double dlon = crs_gcj_dlon(lon - 105.0, lat - 35.0);
	double radlat = lat / 180.0 * CRS_PI;
	double magic = sin(radlat);
	magic = 1.0 - CRS_GCJ_EE * magic * magic;
	double sqrtmagic = sqrt(magic);
	dlat = (dlat * 180.0) / ((CRS_GCJ_A * (1.0 - CRS_GCJ_EE)) / (magic * sqrtmagic) * CRS_PI);
	dlon = (dlon * 180.0) / (CRS_GCJ_A / sqrtmagic * cos(radlat) * CRS_PI);
	*out_lon = lon + dlon;
	*out_lat = lat + dlat;
}

void crs_gcj02_to_bd09(double lon, double lat, double *out_lon, double *out_lat)
{
	double z = sqrt(lon * lon + lat * lat) + 0.00002 * sin(lat * CRS_BD_X_PI);
	double theta = atan2(lat, lon) + 0.000003 * cos(lon * CRS_BD_X_PI);

	*out_lon = z * cos(theta) + 0.0065;
	*out_lat = z * sin(theta) + 0.006;
}

void crs_wgs84_to_bd09(double lon, double lat, double *out_lon, double *out_lat)
{
	double glon, glat;

	crs_wgs84_to_gcj02(lon, lat, &glon, &glat);
	crs_gcj02_to_bd09(glon, glat, out_lon, out_lat);
}

typedef void crs_forward_fn(double lon, double lat, double *out_lon, double *out_lat);

/* Solve fwd(p) = (lon, lat) from the guess by p ← p − (fwd(p) − target).
 * Converges because fwd − identity has a Jacobian of norm ~1e-3.  Returns the
 * best point seen, so a non-convergent edge case still ends near a preimage. */
static void crs_invert(crs_forward_fn *fwd, double lon, double lat, double guess_lon,
		       double guess_lat, double *out_lon, double *out_lat)
{
	double plon = guess_lon, plat = guess_lat;
	double best_lon = plon, best_lat = plat, best = INFINITY;

	for (int step = 0; step < CRS_INV_MAX_STEPS; step++) {
		double flon, flat;
		fwd(plon, plat, &flon, &flat);
		double dlon = flon - lon, dlat = flat - lat;
		double miss = fmax(fabs(dlon), fabs(dlat));
		if (miss < best) {
			best = miss;
			best_lon = plon;
			best_lat = plat;
		}
		if (!(miss >= CRS_INV_EPS_DEG))	/* also stops on NaN */
			break;
		plon -= dlon;
		plat -= dlat;
	}
	*out_lon = best_lon;
	*out_lat = best_lat;
}

void crs_gcj02_to_wgs84(double lon, double lat, double *out_lon, double *out_lat)
{
	/* The input itself is the guess: it is within ~700 m of the answer, and
	 * outside China it is the answer, found in one step. */
	crs_invert(crs_wgs84_to_gcj02, lon, lat, lon, lat, out_lon, out_lat);
}

void crs_bd09_to_gcj02(double lon, double lat, double *out_lon, double *out_lat)
{
	/* The published closed-form inverse evaluates the sin/cos terms at the
	 * BD-09 point instead of the GCJ-02 one: measured, it is off by up to
	 * 0.22 m over China and 0.44 m worldwide — a good first guess for the
	 * iteration, not an answer. */
	double x = lon - 0.0065, y = lat - 0.006;
	double z = sqrt(x * x + y * y) - 0.00002 * sin(y * CRS_BD_X_PI);
	double theta = atan2(y, x) - 0.000003 * cos(x * CRS_BD_X_PI);

	crs_invert(crs_gcj02_to_bd09, lon, lat, z * cos(theta), z * sin(theta), out_lon,
		   out_lat);
}

void crs_bd09_to_wgs84(double lon, double lat, double *out_lon, double *out_lat)
{
	double glon, glat;

	crs_bd09_to_gcj02(lon, lat, &glon, &glat);
	crs_gcj02_to_wgs84(glon, glat, out_lon, out_lat);
}

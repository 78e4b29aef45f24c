/* profile.c — SPEC §2 speed table and §7 access/direction rules.
 *
 * The speed table is data: one row per road class, km/h per mode, 0 for "—".
 * Every rule below cites the SPEC sentence it implements, because these are
 * checked from outside against an independent implementation. */
#include "profile.h"

#include <stdlib.h>
#include <string.h>

static const char *const class_names[] = {
#define RC_NAME(e, s) s,
	ROAD_CLASS_TABLE(RC_NAME)
#undef RC_NAME
};

/* km/h: walk, ebike, car (SPEC §2 table) */
static const float class_speed[RC_COUNT][MODE_COUNT] = {
	[RC_MOTORWAY] = {0, 0, 90},       [RC_MOTORWAY_LINK] = {0, 0, 45},
	[RC_TRUNK] = {5, 18, 70},         [RC_TRUNK_LINK] = {5, 18, 40},
	[RC_PRIMARY] = {5, 18, 50},       [RC_PRIMARY_LINK] = {5, 18, 30},
	[RC_SECONDARY] = {5, 18, 40},     [RC_SECONDARY_LINK] = {5, 18, 25},
	[RC_TERTIARY] = {5, 18, 30},      [RC_TERTIARY_LINK] = {5, 18, 20},
	[RC_UNCLASSIFIED] = {5, 15, 25},  [RC_RESIDENTIAL] = {5, 15, 20},
	[RC_LIVING_STREET] = {5, 12, 10}, [RC_SERVICE] = {5, 12, 10},
	[RC_ROAD] = {5, 12, 20},          [RC_CYCLEWAY] = {5, 18, 0},
	[RC_TRACK] = {5, 10, 0},          [RC_PATH] = {5, 8, 0},
	[RC_FOOTWAY] = {5, 6, 0},         [RC_PEDESTRIAN] = {5, 6, 0},
	[RC_STEPS] = {3, 0, 0},
};

static const char *const mode_names[MODE_COUNT] = {"walk", "ebike", "car"};

const char *mode_name(enum mode m)
{
	return (unsigned)m < MODE_COUNT ? mode_names[m] : "?";
}

int mode_parse(const char *s)
{
	for (int m = 0; m < MODE_COUNT; m++)
		if (s && !strcmp(s, mode_names[m]))
			return m;
	return -1;
}

enum road_class profile_class(const char *highway)
{
	if (!highway)
		return RC_NONE;
	for (int c = 0; c < RC_COUNT; c++)
		if (!strcmp(highway, class_names[c]))
			return (enum road_class)c;
	return RC_NONE;
}

const char *profile_class_name(enum road_class c)
{
	return (unsigned)c < RC_COUNT ? class_names[c] : "none";
}

static int is(const char *v, const char *want)
{
	return v && !strcmp(v, want);
}

static int is_yes_like(const char *v)
{
	return is(v, "yes") || is(v, "designated") || is(v, "permissive");
}

/* Digits with at most one '.' and digits after it; returns the end or NULL. */
static const char *scan_number(const char *s, double *out)
{
	const char *p = s;
	if (*p < '0' || *p > '9')
		return NULL;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (p - s > 12)
		return NULL;
	*out = strtod(s, NULL);
	return p;
}

double profile_maxspeed_kmh(const char *v)
{
	double n;
	const char *end;
	if (!v || !(end = scan_number(v, &n)))
		return 0;
	if (*end == '\0')
		return n;
	if (!strcmp(end, " mph"))
		return n * 1.609344;
	return 0;
}

/* §7 Access: own tag =no excludes; access=no|private excludes unless an own
 * tag is yes|designated|permissive; other values change nothing. */
static int access_allows(const char *access, const char *own1, const char *own2)
{
	if (is(own1, "no") || is(own2, "no"))
		return 0;
	if (is(access, "no") || is(access, "private"))
		return is_yes_like(own1) || is_yes_like(own2);
	return 1;
}

/* §2/§7 Direction for ebike and car. */
static uint8_t vehicle_dirs(const struct way_tags *t, int frees_bicycle)
{
	if (frees_bicycle)
		return DIR_FWD | DIR_BWD;
	const char *o = t->oneway;
	if (is(o, "-1") || is(o, "reverse"))
		return DIR_BWD;
	if (is(o, "yes") || is(o, "true") || is(o, "1"))
		return DIR_FWD;
	if (is(t->junction, "roundabout") || is(t->junction, "circular"))
		return DIR_FWD;
	return DIR_FWD | DIR_BWD;
}

void profile_way(const struct way_tags *t, struct way_profile *out)
{
	memset(out, 0, sizeof *out);
	out->road_class = profile_class(t->highway);
	if (out->road_class == RC_NONE || is(t->area, "yes")) {
		out->road_class = RC_NONE;
		return;
	}
	const float *speed = class_speed[out->road_class];
	int allowed[MODE_COUNT] = {
		[MODE_WALK] = access_allows(t->access, t->foot, NULL),
		[MODE_EBIKE] = access_allows(t->access, t->bicycle, NULL),
		[MODE_CAR] = access_allows(t->access, t->motor_vehicle, t->motorcar),
	};
	int frees_bicycle = is(t->oneway_bicycle, "no") ||
			    (t->cycleway && !strncmp(t->cycleway, "opposite", 8));
	int any = 0;
	for (int m = 0; m < MODE_COUNT; m++) {
		if (speed[m] <= 0 || !allowed[m])
			continue;
		float v = speed[m];
		if (m == MODE_CAR) {
			double ms = profile_maxspeed_kmh(t->maxspeed);
			if (ms > 0 && ms < v)
				v = (float)ms;
		}
		out->speed_kmh[m] = v;
		out->dirs[m] = m == MODE_WALK ? (DIR_FWD | DIR_BWD)
					      : vehicle_dirs(t, m == MODE_EBIKE && frees_bicycle);
		any = 1;
	}
	if (!any)
		out->road_class = RC_NONE;
}

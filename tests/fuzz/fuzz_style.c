/* fuzz_style.c — libFuzzer target for the style parser (tiles/style.c).
 *
 * Checks on each input, each aborting on a violation:
 *   1. a failure leaves no style and a message that starts with "line N";
 *   2. a parsed style keeps every documented invariant: 0 ≤ minzoom ≤ maxzoom
 *      ≤ 24, zoom stops strictly increasing, every zoom function finite, ≥ 0
 *      and within its stop values at any zoom (NaN included), dashes even and
 *      positive, bands increasing, casing runs cover the layer, and
 *      style_next_visible agrees with style_visible;
 *   3. style_parse_color on the raw bytes never reads past them.
 * Replay without libFuzzer with tests/fuzz/replay.c. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_check.h"
#include "tiles/style.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_value(const struct style_value *v)
{
	CHECK(v->nstops >= 1 && v->nstops <= STYLE_MAX_STOPS);
	CHECK(v->base > 0);
	float lo = INFINITY, hi = -INFINITY;
	for (int i = 0; i < v->nstops; i++) {
		CHECK(v->z[i] >= 0 && v->z[i] <= STYLE_ZOOM_MAX);
		CHECK(i == 0 || v->z[i] > v->z[i - 1]);
		CHECK(isfinite(v->v[i]) && v->v[i] >= 0);
		lo = fminf(lo, v->v[i]);
		hi = fmaxf(hi, v->v[i]);
	}
	static const float zooms[] = {-1, 0, 0.5f, 3, 7.25f, 12, 13.7f, 18, 20, 24, 30, NAN};
	for (size_t i = 0; i < sizeof zooms / sizeof zooms[0]; i++) {
		float w = style_eval_width(v, zooms[i]);
		/* A float rounding step of slack for the interpolation. */
		CHECK(isfinite(w) && w >= lo * (1 - 1e-6f) && w <= hi * (1 + 1e-6f));
	}
}

static void check_layer(const struct style *s, size_t i)
{
	const struct style_layer *l = style_layer(s, i);
	CHECK(memchr(l->id, '\0', sizeof l->id) && l->id[0]);
	CHECK(l->minzoom >= 0 && l->minzoom <= l->maxzoom && l->maxzoom <= STYLE_ZOOM_MAX);
	CHECK((unsigned)l->type < STYLE_TYPE_COUNT && (unsigned)l->source < STYLE_SOURCE_COUNT);
	CHECK(l->class_mask != 0);
	CHECK(l->run_first <= i && i <= l->run_last && l->run_last < style_layer_count(s));
	switch (l->type) {
	case STYLE_LINE:
		check_value(&l->line.width);
		if (l->line.has_casing)
			check_value(&l->line.casing_width);
		CHECK(l->line.ndash % 2 == 0 && l->line.ndash <= STYLE_MAX_DASH);
		for (int k = 0; k < l->line.ndash; k++)
			CHECK(l->line.dash[k] > 0);
		break;
	case STYLE_CIRCLE:
		check_value(&l->circle.radius);
		check_value(&l->circle.stroke_width);
		if (l->circle.has_cluster) {
			check_value(&l->circle.cluster_radius);
			check_value(&l->circle.cluster_text_size);
			check_value(&l->circle.cluster_stroke_width);
			CHECK(l->circle.cluster_cell_px >= 16);
		}
		break;
	case STYLE_LABEL:
		check_value(&l->label.size);
		check_value(&l->label.halo_width);
		break;
	case STYLE_COVERAGE:
		CHECK(l->coverage.nbands >= 1 && l->coverage.nbands <= STYLE_MAX_BANDS);
		for (int k = 1; k < l->coverage.nbands; k++)
			CHECK(l->coverage.band[k].max_minutes > l->coverage.band[k - 1].max_minutes);
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct style *s = (struct style *)&size;
	struct yz_errbuf eb;
	struct style_color col;
	eb.msg[0] = '\0';
	(void)style_parse_color((const char *)data, size, &col);
	enum yz_err err = style_parse((const char *)data, size, &s, &eb);
	if (err != YZ_OK) {
		unsigned line;
		CHECK(s == NULL);
		CHECK(memchr(eb.msg, '\0', sizeof eb.msg));
		CHECK(sscanf(eb.msg, "line %u", &line) == 1 && line >= 1);
		return 0;
	}
	size_t n = style_layer_count(s);
	CHECK(n <= STYLE_MAX_LAYERS);
	CHECK(style_name(s)[0] != '\0');
	for (size_t i = 0; i < n; i++)
		check_layer(s, i);
	static const float zooms[] = {0, 9.5f, 14, 24};
	for (size_t z = 0; z < sizeof zooms / sizeof zooms[0]; z++) {
		const struct style_layer *l = style_next_visible(s, NULL, zooms[z]);
		for (size_t i = 0; i < n; i++) {
			const struct style_layer *li = style_layer(s, i);
			if (style_visible(li, zooms[z])) {
				CHECK(l == li);
				l = style_next_visible(s, l, zooms[z]);
			}
		}
		CHECK(l == NULL);
	}
	style_free(s);
	return 0;
}

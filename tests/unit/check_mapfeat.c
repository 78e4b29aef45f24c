/* check_mapfeat.c — data/mapfeat: base-map features from an OSM road source.
 *
 * The hand-written fixture tests/fixtures/osm/mapfeat.osm (see its header
 * comment) pins down classification, rings, holes, orientation, bounding
 * boxes, names, duplicate-point removal and MakeValid repair.  The shared
 * OSM data sets (malta, monaco, hsinchu, shanghai_center) are read and every
 * structural invariant of mapfeat.h is checked on them, with plausible
 * counts.  A non-OSM path gives an empty set, a missing file a clean error. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "data/mapfeat.h"
#include "tests/support/shared_data.h"

Suite *mapfeat_suite(void);

#define FIXTURE "tests/fixtures/osm/mapfeat.osm"

static const char *shared_path(const char *rel)
{
	static char p[1024];
	snprintf(p, sizeof p, "%s/%s", shared_dir(), rel);
	return p;
}

/* Twice the signed area of part p (> 0: counter-clockwise). */
static double part_area2(const struct mapfeat_set *m, uint32_t p)
{
	uint32_t a = m->part_pt_first[p], b = m->part_pt_first[p + 1];
	double s = 0;
	for (uint32_t i = a + 1; i + 1 < b; i++)
		s += (double)(m->pt_lon_e7[i] - m->pt_lon_e7[a]) *
			     (double)(m->pt_lat_e7[i + 1] - m->pt_lat_e7[a]) -
		     (double)(m->pt_lon_e7[i + 1] - m->pt_lon_e7[a]) *
			     (double)(m->pt_lat_e7[i] - m->pt_lat_e7[a]);
	return s;
}

static uint32_t part_points(const struct mapfeat_set *m, uint32_t p)
{
	return m->part_pt_first[p + 1] - m->part_pt_first[p];
}

/* Every invariant mapfeat.h promises. */
static void check_invariants(const struct mapfeat_set *m)
{
	ck_assert_ptr_nonnull(m->part_first);
	ck_assert_ptr_nonnull(m->part_pt_first);
	ck_assert_uint_eq(m->part_first[0], 0);
	ck_assert_uint_eq(m->part_first[m->count], m->part_count);
	ck_assert_uint_eq(m->part_pt_first[0], 0);
	ck_assert_uint_eq(m->part_pt_first[m->part_count], m->pt_count);
	/* an empty pool has no block at all (strpool.c) */
	if (m->names.data)
		ck_assert_int_eq(m->names.data[0], '\0');
	else
		ck_assert_uint_eq(m->names.len, 0);
	for (uint32_t f = 0; f < m->count; f++) {
		ck_assert_uint_lt(m->kind[f], MAPFEAT_KIND_COUNT);
		ck_assert_ptr_nonnull(mapfeat_kind_name(m->kind[f]));
		ck_assert(m->name[f] == 0 || m->name[f] < m->names.len);
		if (m->name[f])
			ck_assert_int_eq(m->names.data[m->name[f] - 1], '\0');
		uint32_t p0 = m->part_first[f], p1 = m->part_first[f + 1];
		ck_assert_uint_lt(p0, p1);
		ck_assert_uint_le(p1, m->part_count);
		int area = mapfeat_kind_is_area(m->kind[f]);
		if (area)
			ck_assert_uint_eq(m->part_flags[p0], MAPFEAT_OUTER);
		const int32_t *bb = &m->bbox[4 * (size_t)f];
		int32_t lo_x = INT32_MAX, lo_y = INT32_MAX, hi_x = INT32_MIN, hi_y = INT32_MIN;
		for (uint32_t p = p0; p < p1; p++) {
			uint32_t a = m->part_pt_first[p], b = m->part_pt_first[p + 1];
			ck_assert_uint_lt(a, b);
			ck_assert_uint_le(b, m->pt_count);
			for (uint32_t i = a; i < b; i++) {
				int32_t x = m->pt_lon_e7[i], y = m->pt_lat_e7[i];
				ck_assert(x >= -1800000000 && x <= 1800000000);
				ck_assert(y >= -900000000 && y <= 900000000);
				if (i > a)
					ck_assert_msg(x != m->pt_lon_e7[i - 1] || y != m->pt_lat_e7[i - 1],
						      "feature %u part %u: repeated point %u", f, p, i);
				if (x < lo_x) lo_x = x;
				if (y < lo_y) lo_y = y;
				if (x > hi_x) hi_x = x;
				if (y > hi_y) hi_y = y;
			}
			if (area) {
				ck_assert_uint_eq(m->part_flags[p] & MAPFEAT_LINE, 0);
				ck_assert_uint_ge(b - a, 4);
				ck_assert_msg(m->pt_lon_e7[a] == m->pt_lon_e7[b - 1] &&
						      m->pt_lat_e7[a] == m->pt_lat_e7[b - 1],
					      "feature %u ring %u not closed", f, p);
				double a2 = part_area2(m, p);
				if (m->part_flags[p] & MAPFEAT_OUTER)
					ck_assert_msg(a2 > 0, "feature %u outer ring %u not CCW", f, p);
				else
					ck_assert_msg(a2 < 0, "feature %u hole %u not CW", f, p);
			} else {
				ck_assert_uint_eq(m->part_flags[p], MAPFEAT_LINE);
				ck_assert_uint_ge(b - a, 2);
			}
		}
		ck_assert_int_eq(bb[0], lo_x);
		ck_assert_int_eq(bb[1], lo_y);
		ck_assert_int_eq(bb[2], hi_x);
		ck_assert_int_eq(bb[3], hi_y);
	}
}

static void count_kinds(const struct mapfeat_set *m, unsigned n[MAPFEAT_KIND_COUNT])
{
	memset(n, 0, MAPFEAT_KIND_COUNT * sizeof n[0]);
	for (uint32_t f = 0; f < m->count; f++)
		n[m->kind[f]]++;
}

/* The feature of `kind` whose bbox starts at min_lon_e7, or -1. */
static long find(const struct mapfeat_set *m, unsigned kind, int32_t min_lon_e7)
{
	for (uint32_t f = 0; f < m->count; f++)
		if (m->kind[f] == kind && m->bbox[4 * (size_t)f] == min_lon_e7)
			return f;
	return -1;
}

static const char *name_of(const struct mapfeat_set *m, long f)
{
	return m->names.data + m->name[f];
}

START_TEST(kind_table)
{
	ck_assert_str_eq(mapfeat_kind_name(MAPFEAT_WATER), "water");
	ck_assert_str_eq(mapfeat_kind_name(MAPFEAT_BUILDING), "building");
	ck_assert_str_eq(mapfeat_kind_name(MAPFEAT_RAIL), "rail");
	ck_assert_ptr_null(mapfeat_kind_name(MAPFEAT_KIND_COUNT));
	ck_assert(mapfeat_kind_is_area(MAPFEAT_GREEN));
	ck_assert(!mapfeat_kind_is_area(MAPFEAT_RIVER));
	ck_assert(!mapfeat_kind_is_area(MAPFEAT_KIND_COUNT));
	for (unsigned a = 0; a < MAPFEAT_KIND_COUNT; a++)
		for (unsigned b = a + 1; b < MAPFEAT_KIND_COUNT; b++)
			ck_assert_str_ne(mapfeat_kind_name(a), mapfeat_kind_name(b));
}
END_TEST

START_TEST(fixture)
{
	struct mapfeat_set m;
	struct yz_errbuf eb = {{0}};
	ck_assert_int_eq(mapfeat_read(&m, FIXTURE, &eb), YZ_OK);
	check_invariants(&m);
	unsigned n[MAPFEAT_KIND_COUNT];
	count_kinds(&m, n);
	ck_assert_uint_eq(m.count, 8);
	ck_assert_uint_eq(n[MAPFEAT_WATER], 1);
	ck_assert_uint_eq(n[MAPFEAT_GREEN], 1);
	ck_assert_uint_eq(n[MAPFEAT_BUILDING], 3);   /* not building=no */
	ck_assert_uint_eq(n[MAPFEAT_RESIDENTIAL], 1);
	ck_assert_uint_eq(n[MAPFEAT_RIVER], 1);
	ck_assert_uint_eq(n[MAPFEAT_RAIL], 1);       /* not the subway tunnel */
	ck_assert_uint_eq(m.repaired, 1);
	ck_assert_uint_eq(m.skipped_invalid, 0);

	/* the lake: an outer ring and a hole, both closed, CCW then CW */
	long lake = find(&m, MAPFEAT_WATER, 1214700000);
	ck_assert_int_ge(lake, 0);
	ck_assert_str_eq(name_of(&m, lake), "湖");
	uint32_t p = m.part_first[lake];
	ck_assert_uint_eq(m.part_first[lake + 1] - p, 2);
	ck_assert_uint_eq(m.part_flags[p], MAPFEAT_OUTER);
	ck_assert_uint_eq(m.part_flags[p + 1], 0);
	ck_assert_uint_eq(part_points(&m, p), 5);
	ck_assert_uint_eq(part_points(&m, p + 1), 5);
	ck_assert_double_eq(part_area2(&m, p), 2.0 * 100000 * 100000);
	ck_assert_double_eq(part_area2(&m, p + 1), -2.0 * 20000 * 20000);
	const int32_t *bb = &m.bbox[4 * lake];
	ck_assert_int_eq(bb[0], 1214700000);
	ck_assert_int_eq(bb[1], 312300000);
	ck_assert_int_eq(bb[2], 1214800000);
	ck_assert_int_eq(bb[3], 312400000);

	/* the park, drawn clockwise in the file, comes out CCW; name fallback */
	long park = find(&m, MAPFEAT_GREEN, 1214900000);
	ck_assert_int_ge(park, 0);
	ck_assert_str_eq(name_of(&m, park), "Central Park");
	ck_assert_uint_eq(m.part_first[park + 1] - m.part_first[park], 1);
	ck_assert_double_gt(part_area2(&m, m.part_first[park]), 0);
	bb = &m.bbox[4 * park];
	ck_assert_int_eq(bb[1], 312300000);
	ck_assert_int_eq(bb[2], 1214950000);
	ck_assert_int_eq(bb[3], 312350000);

	/* buildings: no names kept, the repeated node dropped, the bow tie
	 * repaired into two outer rings */
	long b1 = find(&m, MAPFEAT_BUILDING, 1214700000);
	long b2 = find(&m, MAPFEAT_BUILDING, 1214710000);
	long b3 = find(&m, MAPFEAT_BUILDING, 1214720000);
	ck_assert(b1 >= 0 && b2 >= 0 && b3 >= 0);
	ck_assert_uint_eq(m.name[b1], 0);
	ck_assert_uint_eq(m.name[b2], 0);
	ck_assert_uint_eq(m.part_first[b2 + 1] - m.part_first[b2], 1);
	ck_assert_uint_eq(part_points(&m, m.part_first[b2]), 5);
	ck_assert_uint_eq(m.part_first[b3 + 1] - m.part_first[b3], 2);
	ck_assert_uint_eq(m.part_flags[m.part_first[b3]], MAPFEAT_OUTER);
	ck_assert_uint_eq(m.part_flags[m.part_first[b3] + 1], MAPFEAT_OUTER);
	bb = &m.bbox[4 * b3];
	ck_assert_int_eq(bb[2], 1214722000);
	ck_assert_int_eq(bb[3], 312202000);

	long res = find(&m, MAPFEAT_RESIDENTIAL, 1214700000);
	ck_assert_int_ge(res, 0);
	ck_assert_uint_eq(m.name[res], 0);
	ck_assert_int_eq(m.bbox[4 * res + 1], 312100000);

	/* the river: one polyline, the repeated node dropped, Chinese name */
	long river = find(&m, MAPFEAT_RIVER, 1214600000);
	ck_assert_int_ge(river, 0);
	ck_assert_str_eq(name_of(&m, river), "黄浦江");
	p = m.part_first[river];
	ck_assert_uint_eq(m.part_first[river + 1] - p, 1);
	ck_assert_uint_eq(m.part_flags[p], MAPFEAT_LINE);
	ck_assert_uint_eq(part_points(&m, p), 3);
	uint32_t a = m.part_pt_first[p];
	ck_assert_int_eq(m.pt_lon_e7[a], 1214600000);
	ck_assert_int_eq(m.pt_lat_e7[a], 312000000);
	ck_assert_int_eq(m.pt_lon_e7[a + 2], 1214650000);
	ck_assert_int_eq(m.pt_lat_e7[a + 2], 312100000);

	long rail = find(&m, MAPFEAT_RAIL, 1215000000);
	ck_assert_int_ge(rail, 0);
	ck_assert_uint_eq(part_points(&m, m.part_first[rail]), 3);
	ck_assert_int_eq(m.bbox[4 * rail + 2], 1215010000);

	/* nothing from the closed highway (121.52..121.53), the parking lot
	 * (31.221..31.2215), building=no (121.473..) or the subway tunnel */
	for (uint32_t f = 0; f < m.count; f++) {
		ck_assert_int_lt(m.bbox[4 * f + 2], 1215200000);
		ck_assert(!(m.bbox[4 * f + 1] >= 312210000 && m.bbox[4 * f + 3] <= 312215000));
		ck_assert_int_ne(m.bbox[4 * f], 1214730000);
		ck_assert_int_ne(m.bbox[4 * f], 1215100000);
	}
	mapfeat_free(&m);
	ck_assert_uint_eq(m.count, 0);
	ck_assert_ptr_null(m.kind);
	mapfeat_free(&m);   /* harmless on a freed set */
}
END_TEST

/* The sea: an island's coastline, in two ways, becomes one water feature —
 * a box around it with the island as a clockwise hole; an open coast gives
 * no sea. */
START_TEST(coast_to_sea)
{
	struct mapfeat_set m;
	struct yz_errbuf eb;
	ck_assert_int_eq(mapfeat_read(&m, "tests/fixtures/osm/coast.osm", &eb), YZ_OK);
	ck_assert_uint_eq(m.count, 1);
	ck_assert_uint_eq(m.kind[0], MAPFEAT_WATER);
	ck_assert_uint_eq(m.part_first[1] - m.part_first[0], 2);
	uint32_t outer = m.part_first[0], hole = outer + 1;
	ck_assert(m.part_flags[outer] & MAPFEAT_OUTER);
	ck_assert(!(m.part_flags[hole] & MAPFEAT_OUTER));
	/* the hole: the island's 4 corners, closed, clockwise */
	uint32_t a = m.part_pt_first[hole], b = m.part_pt_first[hole + 1];
	ck_assert_uint_eq(b - a, 5);
	double area2 = 0;
	for (uint32_t i = a; i + 1 < b; i++)
		area2 += (double)m.pt_lon_e7[i] * m.pt_lat_e7[i + 1] -
			 (double)m.pt_lon_e7[i + 1] * m.pt_lat_e7[i];
	ck_assert(area2 < 0);
	/* the box: 1.5 degree around the island */
	const int32_t *bb = &m.bbox[0];
	ck_assert_int_eq(bb[0], 1214000000 - 15000000);
	ck_assert_int_eq(bb[2], 1214200000 + 15000000);
	ck_assert_int_eq(bb[1], 312000000 - 15000000);
	ck_assert_int_eq(bb[3], 312200000 + 15000000);
	mapfeat_free(&m);

	ck_assert_int_eq(mapfeat_read(&m, "tests/fixtures/osm/coast-open.osm", &eb), YZ_OK);
	ck_assert_uint_eq(m.count, 0);
	mapfeat_free(&m);
}
END_TEST

START_TEST(not_osm)
{
	struct mapfeat_set m;
	struct yz_errbuf eb = {{0}};
	ck_assert_int_eq(mapfeat_read(&m, "tests/fixtures/none.geojson", &eb), YZ_OK);
	ck_assert_uint_eq(m.count, 0);
	ck_assert_uint_eq(m.part_count, 0);
	ck_assert_uint_eq(m.pt_count, 0);
	check_invariants(&m);
	mapfeat_free(&m);

	ck_assert_int_eq(mapfeat_read(&m, "tests/fixtures/osm/no-such-file.osm.pbf", &eb), YZ_EIO);
	ck_assert_ptr_nonnull(strstr(eb.msg, "no-such-file"));
	ck_assert_uint_eq(m.count, 0);
	ck_assert_ptr_null(m.kind);
	ck_assert_ptr_null(m.part_first);
	mapfeat_free(&m);
}
END_TEST

/* Read one shared data set; print counts and time for the record. */
static void read_shared(const char *rel, struct mapfeat_set *m, unsigned n[MAPFEAT_KIND_COUNT])
{
	struct yz_errbuf eb = {{0}};
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	enum yz_err err = mapfeat_read(m, shared_path(rel), &eb);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_msg(err == YZ_OK, "%s: %s", rel, eb.msg);
	check_invariants(m);
	count_kinds(m, n);
	if (getenv("YZ_VERBOSE")) {
		printf("mapfeat %s: %.2f s, %u features, %u parts, %u points, repaired %u, skipped %u\n",
		       rel, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9,
		       m->count, m->part_count, m->pt_count, m->repaired, m->skipped_invalid);
		for (unsigned k = 0; k < MAPFEAT_KIND_COUNT; k++)
			printf("  %-12s %u\n", mapfeat_kind_name(k), n[k]);
	}
}

START_TEST(shared_malta)
{
	struct mapfeat_set m;
	unsigned n[MAPFEAT_KIND_COUNT];
	read_shared("malta/malta.osm.pbf", &m, n);
	/* 9 730 multipolygons have a building tag (ogrinfo), a few are water */
	ck_assert_uint_gt(n[MAPFEAT_BUILDING], 9000);
	ck_assert_uint_le(n[MAPFEAT_BUILDING], 9730);
	ck_assert_uint_gt(n[MAPFEAT_WATER], 0);
	ck_assert_uint_gt(n[MAPFEAT_GREEN], 100);
	ck_assert_uint_gt(n[MAPFEAT_RESIDENTIAL], 0);
	ck_assert_uint_gt(n[MAPFEAT_STREAM] + n[MAPFEAT_RIVER], 0);
	/* every feature inside Malta's box but the sea: the islands' closed
	 * coastlines as holes (Malta, Gozo, Comino and islets) in a box around
	 * them */
	unsigned seas = 0;
	for (uint32_t f = 0; f < m.count; f++) {
		const int32_t *bb = &m.bbox[4 * f];
		if (m.kind[f] == MAPFEAT_WATER && bb[0] < 140000000) {
			seas++;
			ck_assert_uint_ge(m.part_first[f + 1] - m.part_first[f], 1 + 3);
			ck_assert(bb[2] > 150000000 && bb[1] < 355000000 && bb[3] > 362000000);
			continue;
		}
		ck_assert(bb[0] > 140000000 && bb[2] < 150000000);
		ck_assert(bb[1] > 355000000 && bb[3] < 362000000);
	}
	ck_assert_uint_eq(seas, 1);
	mapfeat_free(&m);
}
END_TEST

START_TEST(shared_monaco)
{
	struct mapfeat_set m;
	unsigned n[MAPFEAT_KIND_COUNT];
	read_shared("monaco/monaco.osm.pbf", &m, n);
	ck_assert_uint_gt(n[MAPFEAT_BUILDING], 500);
	ck_assert_uint_gt(n[MAPFEAT_WATER] + n[MAPFEAT_GREEN], 0);
	mapfeat_free(&m);
}
END_TEST

START_TEST(shared_others)
{
	struct mapfeat_set m;
	unsigned n[MAPFEAT_KIND_COUNT];
	read_shared("hsinchu_nctu/hsinchu_nctu.osm.pbf", &m, n);
	ck_assert_uint_gt(n[MAPFEAT_BUILDING], 0);
	ck_assert_uint_gt(n[MAPFEAT_WATER] + n[MAPFEAT_GREEN], 0);
	mapfeat_free(&m);
	/* a highway-only extract: no base map, and no error */
	read_shared("shanghai_center/shanghai_center.osm.pbf", &m, n);
	ck_assert_uint_eq(m.count, 0);
	mapfeat_free(&m);
}
END_TEST

Suite *mapfeat_suite(void)
{
	Suite *s = suite_create("mapfeat");
	TCase *tc = tcase_create("fixture");
	tcase_add_test(tc, kind_table);
	tcase_add_test(tc, fixture);
	tcase_add_test(tc, coast_to_sea);
	tcase_add_test(tc, not_osm);
	suite_add_tcase(s, tc);
	tc = tcase_create("shared");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, shared_malta);
	tcase_add_test(tc, shared_monaco);
	tcase_add_test(tc, shared_others);
	suite_add_tcase(s, tc);
	return s;
}

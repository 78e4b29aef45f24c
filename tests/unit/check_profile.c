/* check_profile.c — data/profile: every SPEC §2 / §7 rule through profile_way().
 *
 * The expectations are the SPEC's own table and sentences, typed in here row by
 * row: the speed of every class in every mode, area=yes, the access rules with
 * each mode's own tags, the direction rules (oneway, roundabouts, the e-bike
 * exemptions, walking ignoring direction) and which maxspeed values count. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "data/profile.h"

Suite *profile_suite(void);

#define BOTH (DIR_FWD | DIR_BWD)

static struct way_profile run(const struct way_tags *t)
{
	struct way_profile p;
	memset(&p, 0xA5, sizeof p); /* profile_way must set every field */
	profile_way(t, &p);
	return p;
}

/* ---- the speed table ------------------------------------------------------ */

/* SPEC §2, one row per highway value; 0 is "—". */
static const struct {
	const char *highway;
	float walk, ebike, car;
} speed_rows[] = {
	{"motorway", 0, 0, 90},
	{"motorway_link", 0, 0, 45},
	{"trunk", 5, 18, 70},
	{"trunk_link", 5, 18, 40},
	{"primary", 5, 18, 50},
	{"secondary", 5, 18, 40},
	{"tertiary", 5, 18, 30},
	{"primary_link", 5, 18, 30},
	{"secondary_link", 5, 18, 25},
	{"tertiary_link", 5, 18, 20},
	{"unclassified", 5, 15, 25},
	{"residential", 5, 15, 20},
	{"living_street", 5, 12, 10},
	{"service", 5, 12, 10},
	{"road", 5, 12, 20},
	{"cycleway", 5, 18, 0},
	{"track", 5, 10, 0},
	{"path", 5, 8, 0},
	{"footway", 5, 6, 0},
	{"pedestrian", 5, 6, 0},
	{"steps", 3, 0, 0},
	/* anything else */
	{"bridleway", 0, 0, 0},
	{"corridor", 0, 0, 0},
	{"platform", 0, 0, 0},
	{"proposed", 0, 0, 0},
	{"construction", 0, 0, 0},
	{"bus_guideway", 0, 0, 0},
	{"raceway", 0, 0, 0},
	{"elevator", 0, 0, 0},
	{"yes", 0, 0, 0},
	{"Residential", 0, 0, 0},   /* values are case-sensitive in OSM */
	{"residential ", 0, 0, 0},
	{"motorway_junction", 0, 0, 0},
	{"", 0, 0, 0},
};
#define N_SPEED_ROWS ((int)(sizeof speed_rows / sizeof speed_rows[0]))

START_TEST(test_speed_table)
{
	const char *hw = speed_rows[_i].highway;
	const float want[MODE_COUNT] = {speed_rows[_i].walk, speed_rows[_i].ebike,
					speed_rows[_i].car};
	struct way_tags t = {.highway = hw};
	struct way_profile p = run(&t);
	int any = 0;

	for (int m = 0; m < MODE_COUNT; m++) {
		ck_assert_msg(p.speed_kmh[m] == want[m], "highway=%s %s: %g km/h, want %g", hw,
			      mode_name((enum mode)m), p.speed_kmh[m], want[m]);
		/* No direction tags: every allowed mode goes both ways. */
		ck_assert_msg(p.dirs[m] == (want[m] > 0 ? BOTH : 0), "highway=%s %s: dirs %u", hw,
			      mode_name((enum mode)m), p.dirs[m]);
		any |= want[m] > 0;
	}
	if (any) {
		ck_assert_msg(p.road_class != RC_NONE, "highway=%s: no class", hw);
		ck_assert_str_eq(profile_class_name(p.road_class), hw);
		ck_assert_int_eq(profile_class(hw), p.road_class);
	} else {
		ck_assert_msg(p.road_class == RC_NONE, "highway=%s: class %s", hw,
			      profile_class_name(p.road_class));
	}
}
END_TEST

START_TEST(test_no_highway)
{
	struct way_tags t = {.oneway = "yes", .foot = "yes", .bicycle = "designated",
			     .motorcar = "yes", .maxspeed = "30"};
	struct way_profile p = run(&t);
	ck_assert_int_eq(p.road_class, RC_NONE);
	for (int m = 0; m < MODE_COUNT; m++) {
		ck_assert_uint_eq(p.dirs[m], 0);
		ck_assert(p.speed_kmh[m] == 0);
	}
	ck_assert_int_eq(profile_class(NULL), RC_NONE);
}
END_TEST

/* Every class of the enum has a name that maps back to it. */
START_TEST(test_class_names)
{
	for (int c = 0; c < RC_COUNT; c++)
		ck_assert_int_eq(profile_class(profile_class_name((enum road_class)c)), c);
	ck_assert_str_eq(profile_class_name(RC_NONE), "none");
	ck_assert_int_eq(profile_class("none"), RC_NONE);
	ck_assert_int_eq(RC_COUNT, 21); /* the SPEC table's rows, links split */
}
END_TEST

START_TEST(test_mode_names)
{
	ck_assert_str_eq(mode_name(MODE_WALK), "walk");
	ck_assert_str_eq(mode_name(MODE_EBIKE), "ebike");
	ck_assert_str_eq(mode_name(MODE_CAR), "car");
	ck_assert_int_eq(mode_parse("walk"), MODE_WALK);
	ck_assert_int_eq(mode_parse("ebike"), MODE_EBIKE);
	ck_assert_int_eq(mode_parse("car"), MODE_CAR);
	ck_assert_int_eq(mode_parse("bike"), -1);
	ck_assert_int_eq(mode_parse("Car"), -1);
	ck_assert_int_eq(mode_parse(""), -1);
	ck_assert_int_eq(mode_parse(NULL), -1);
}
END_TEST

/* ---- area ----------------------------------------------------------------- */

START_TEST(test_area)
{
	static const char *const classes[] = {"pedestrian", "footway", "residential", "service"};
	for (size_t i = 0; i < sizeof classes / sizeof *classes; i++) {
		struct way_tags base = {.highway = classes[i]};
		struct way_profile ref = run(&base);
		ck_assert(ref.road_class != RC_NONE);

		struct way_tags t = base;
		t.area = "yes";
		struct way_profile p = run(&t);
		ck_assert_msg(p.road_class == RC_NONE, "%s area=yes is a road", classes[i]);
		for (int m = 0; m < MODE_COUNT; m++)
			ck_assert_uint_eq(p.dirs[m], 0);

		/* Only area=yes exactly excludes (SPEC §7). */
		static const char *const not_yes[] = {"no", "Yes", "true", "1", ""};
		for (size_t k = 0; k < sizeof not_yes / sizeof *not_yes; k++) {
			t.area = not_yes[k];
			p = run(&t);
			ck_assert_msg(p.road_class == ref.road_class, "%s area=%s", classes[i],
				      not_yes[k]);
			for (int m = 0; m < MODE_COUNT; m++) {
				ck_assert_uint_eq(p.dirs[m], ref.dirs[m]);
				ck_assert(p.speed_kmh[m] == ref.speed_kmh[m]);
			}
		}
		/* own tags do not make an area a road */
		t.area = "yes";
		t.foot = t.bicycle = t.motor_vehicle = t.motorcar = "yes";
		p = run(&t);
		ck_assert_int_eq(p.road_class, RC_NONE);
	}
}
END_TEST

/* ---- access --------------------------------------------------------------- */

/* W, E, C: expected allowed walk / ebike / car (against the table's speeds). */
struct access_row {
	const char *highway, *access, *foot, *bicycle, *motor_vehicle, *motorcar;
	int walk, ebike, car;
};

static const struct access_row access_rows[] = {
	/* access=no|private excludes every mode … */
	{"residential", "no", NULL, NULL, NULL, NULL, 0, 0, 0},
	{"residential", "private", NULL, NULL, NULL, NULL, 0, 0, 0},
	/* … unless the mode's own tag says yes|designated|permissive */
	{"residential", "no", "yes", NULL, NULL, NULL, 1, 0, 0},
	{"residential", "no", "designated", NULL, NULL, NULL, 1, 0, 0},
	{"residential", "private", "permissive", NULL, NULL, NULL, 1, 0, 0},
	{"residential", "no", NULL, "yes", NULL, NULL, 0, 1, 0},
	{"residential", "private", NULL, "designated", NULL, NULL, 0, 1, 0},
	{"residential", "no", NULL, "permissive", NULL, NULL, 0, 1, 0},
	{"residential", "no", NULL, NULL, "yes", NULL, 0, 0, 1},
	{"residential", "private", NULL, NULL, "designated", NULL, 0, 0, 1},
	{"residential", "no", NULL, NULL, "permissive", NULL, 0, 0, 1},
	{"residential", "no", NULL, NULL, NULL, "yes", 0, 0, 1},
	{"residential", "private", NULL, NULL, NULL, "designated", 0, 0, 1},
	{"residential", "no", NULL, NULL, NULL, "permissive", 0, 0, 1},
	{"residential", "no", "yes", "yes", "yes", NULL, 1, 1, 1},
	{"service", "private", "yes", NULL, NULL, "yes", 1, 0, 1},
	/* the mode's own tag =no excludes it, with or without access */
	{"residential", NULL, "no", NULL, NULL, NULL, 0, 1, 1},
	{"residential", NULL, NULL, "no", NULL, NULL, 1, 0, 1},
	{"residential", NULL, NULL, NULL, "no", NULL, 1, 1, 0},
	{"residential", NULL, NULL, NULL, NULL, "no", 1, 1, 0},
	{"residential", "yes", "no", "no", "no", NULL, 0, 0, 0},
	{"residential", "no", NULL, "no", NULL, NULL, 0, 0, 0},
	/* one car tag =no excludes even when the other says yes */
	{"residential", NULL, NULL, NULL, "no", "yes", 1, 1, 0},
	{"residential", NULL, NULL, NULL, "yes", "no", 1, 1, 0},
	{"residential", "no", NULL, NULL, "no", "designated", 0, 0, 0},
	/* other values change nothing */
	{"residential", "destination", NULL, NULL, NULL, NULL, 1, 1, 1},
	{"residential", "yes", NULL, NULL, NULL, NULL, 1, 1, 1},
	{"residential", "permissive", NULL, NULL, NULL, NULL, 1, 1, 1},
	{"residential", "customers", NULL, NULL, NULL, NULL, 1, 1, 1},
	{"residential", "delivery", NULL, NULL, NULL, NULL, 1, 1, 1},
	{"residential", "No", NULL, NULL, NULL, NULL, 1, 1, 1},
	{"residential", NULL, "private", "private", "private", "private", 1, 1, 1},
	{"residential", NULL, "destination", "destination", "destination", NULL, 1, 1, 1},
	{"residential", NULL, "dismount", "use_sidepath", "agricultural", "forestry", 1, 1, 1},
	{"residential", "private", "private", NULL, NULL, NULL, 0, 0, 0},
	{"residential", "no", "destination", "private", "private", "destination", 0, 0, 0},
	{"residential", "no", "unknown", "Yes", "YES", "official", 0, 0, 0},
	{"residential", "no", "", "", "", "", 0, 0, 0},
	/* an own tag never admits a class the table marks — */
	{"footway", NULL, NULL, NULL, "yes", "yes", 1, 1, 0},
	{"cycleway", NULL, NULL, NULL, "designated", "designated", 1, 1, 0},
	{"path", "no", "yes", "yes", "yes", "yes", 1, 1, 0},
	{"steps", NULL, NULL, "yes", "yes", "yes", 1, 0, 0},
	{"steps", "no", "no", "designated", "yes", NULL, 0, 0, 0},
	{"motorway", NULL, "yes", "yes", NULL, NULL, 0, 0, 1},
	{"motorway_link", "no", "designated", "designated", NULL, NULL, 0, 0, 0},
	{"motorway", "no", NULL, NULL, "yes", NULL, 0, 0, 1},
	{"bridleway", NULL, "yes", "yes", "yes", "yes", 0, 0, 0},
	{"track", NULL, NULL, NULL, NULL, "permissive", 1, 1, 0},
};
#define N_ACCESS_ROWS ((int)(sizeof access_rows / sizeof access_rows[0]))

START_TEST(test_access)
{
	const struct access_row *r = &access_rows[_i];
	struct way_tags t = {.highway = r->highway, .access = r->access, .foot = r->foot,
			     .bicycle = r->bicycle, .motor_vehicle = r->motor_vehicle,
			     .motorcar = r->motorcar};
	struct way_tags plain = {.highway = r->highway};
	struct way_profile p = run(&t), ref = run(&plain);
	const int want[MODE_COUNT] = {r->walk, r->ebike, r->car};
	char what[200];
	snprintf(what, sizeof what, "row %d: highway=%s access=%s foot=%s bicycle=%s "
		 "motor_vehicle=%s motorcar=%s", _i, r->highway, r->access ? r->access : "-",
		 r->foot ? r->foot : "-", r->bicycle ? r->bicycle : "-",
		 r->motor_vehicle ? r->motor_vehicle : "-", r->motorcar ? r->motorcar : "-");
	int any = 0;
	for (int m = 0; m < MODE_COUNT; m++) {
		ck_assert_msg((p.dirs[m] != 0) == want[m], "%s: %s dirs %u", what,
			      mode_name((enum mode)m), p.dirs[m]);
		ck_assert_msg((p.speed_kmh[m] > 0) == want[m], "%s: %s speed %g", what,
			      mode_name((enum mode)m), p.speed_kmh[m]);
		/* Access never changes speed or direction, only whether. */
		if (want[m]) {
			ck_assert(p.speed_kmh[m] == ref.speed_kmh[m]);
			ck_assert_uint_eq(p.dirs[m], BOTH);
		}
		any |= want[m];
	}
	ck_assert_msg((p.road_class != RC_NONE) == any, "%s: class %s", what,
		      profile_class_name(p.road_class));
	if (any)
		ck_assert_int_eq(p.road_class, profile_class(r->highway));
}
END_TEST

/* ---- direction ------------------------------------------------------------ */

#define F DIR_FWD
#define B DIR_BWD
struct dir_row {
	const char *highway, *oneway, *junction, *oneway_bicycle, *cycleway;
	unsigned walk, ebike, car;
};

static const struct dir_row dir_rows[] = {
	{"residential", NULL, NULL, NULL, NULL, BOTH, BOTH, BOTH},
	{"residential", "no", NULL, NULL, NULL, BOTH, BOTH, BOTH},
	{"residential", "yes", NULL, NULL, NULL, BOTH, F, F},
	{"residential", "true", NULL, NULL, NULL, BOTH, F, F},
	{"residential", "1", NULL, NULL, NULL, BOTH, F, F},
	{"residential", "-1", NULL, NULL, NULL, BOTH, B, B},
	{"residential", "reverse", NULL, NULL, NULL, BOTH, B, B},
	/* values outside the SPEC's lists leave the way two-way */
	{"residential", "false", NULL, NULL, NULL, BOTH, BOTH, BOTH},
	{"residential", "0", NULL, NULL, NULL, BOTH, BOTH, BOTH},
	{"residential", "reversible", NULL, NULL, NULL, BOTH, BOTH, BOTH},
	{"residential", "alternating", NULL, NULL, NULL, BOTH, BOTH, BOTH},
	{"residential", "YES", NULL, NULL, NULL, BOTH, BOTH, BOTH},
	{"residential", "", NULL, NULL, NULL, BOTH, BOTH, BOTH},
	/* roundabouts are forward-only, even with oneway=no */
	{"tertiary", NULL, "roundabout", NULL, NULL, BOTH, F, F},
	{"tertiary", NULL, "circular", NULL, NULL, BOTH, F, F},
	{"tertiary", "no", "roundabout", NULL, NULL, BOTH, F, F},
	{"tertiary", "no", "circular", NULL, NULL, BOTH, F, F},
	{"tertiary", "yes", "roundabout", NULL, NULL, BOTH, F, F},
	{"tertiary", NULL, "yes", NULL, NULL, BOTH, BOTH, BOTH},
	{"tertiary", NULL, "jughandle", NULL, NULL, BOTH, BOTH, BOTH},
	/* e-bikes: oneway:bicycle=no and cycleway=opposite* */
	{"residential", "yes", NULL, "no", NULL, BOTH, BOTH, F},
	{"residential", "-1", NULL, "no", NULL, BOTH, BOTH, B},
	{"residential", "yes", NULL, NULL, "opposite", BOTH, BOTH, F},
	{"residential", "yes", NULL, NULL, "opposite_lane", BOTH, BOTH, F},
	{"residential", "1", NULL, NULL, "opposite_track", BOTH, BOTH, F},
	{"residential", "reverse", NULL, NULL, "opposite_share_busway", BOTH, BOTH, B},
	{"residential", "yes", NULL, "yes", NULL, BOTH, F, F},
	{"residential", "yes", NULL, NULL, "lane", BOTH, F, F},
	{"residential", "yes", NULL, NULL, "track", BOTH, F, F},
	{"tertiary", NULL, "roundabout", "no", NULL, BOTH, BOTH, F},
	{"tertiary", "no", "circular", "no", NULL, BOTH, BOTH, F},
	{"tertiary", NULL, "roundabout", NULL, "opposite_lane", BOTH, BOTH, F},
	/* the exemption frees e-bikes only where they may ride at all */
	{"footway", "yes", NULL, NULL, NULL, BOTH, F, 0},
	{"footway", "yes", NULL, "no", NULL, BOTH, BOTH, 0},
	{"cycleway", "-1", NULL, NULL, NULL, BOTH, B, 0},
	{"motorway", "yes", NULL, "no", NULL, 0, 0, F},
	{"motorway_link", NULL, "roundabout", NULL, NULL, 0, 0, F},
	/* walking ignores direction */
	{"steps", "yes", NULL, NULL, NULL, BOTH, 0, 0},
	{"steps", "-1", NULL, NULL, NULL, BOTH, 0, 0},
	{"pedestrian", NULL, "roundabout", NULL, NULL, BOTH, F, 0},
};
#undef F
#undef B
#define N_DIR_ROWS ((int)(sizeof dir_rows / sizeof dir_rows[0]))

START_TEST(test_direction)
{
	const struct dir_row *r = &dir_rows[_i];
	struct way_tags t = {.highway = r->highway, .oneway = r->oneway, .junction = r->junction,
			     .oneway_bicycle = r->oneway_bicycle, .cycleway = r->cycleway};
	struct way_tags plain = {.highway = r->highway};
	struct way_profile p = run(&t), ref = run(&plain);
	const unsigned want[MODE_COUNT] = {r->walk, r->ebike, r->car};
	for (int m = 0; m < MODE_COUNT; m++) {
		ck_assert_msg(p.dirs[m] == want[m],
			      "row %d: highway=%s oneway=%s junction=%s oneway:bicycle=%s "
			      "cycleway=%s: %s dirs %u, want %u", _i, r->highway,
			      r->oneway ? r->oneway : "-", r->junction ? r->junction : "-",
			      r->oneway_bicycle ? r->oneway_bicycle : "-",
			      r->cycleway ? r->cycleway : "-", mode_name((enum mode)m), p.dirs[m],
			      want[m]);
		/* direction never changes the speed */
		ck_assert(p.speed_kmh[m] == ref.speed_kmh[m]);
	}
}
END_TEST

/* Direction and access combine: a private oneway street a bicycle tag opens. */
START_TEST(test_direction_with_access)
{
	struct way_tags t = {.highway = "service", .access = "private", .bicycle = "yes",
			     .oneway = "yes", .cycleway = "opposite"};
	struct way_profile p = run(&t);
	ck_assert_uint_eq(p.dirs[MODE_WALK], 0);
	ck_assert_uint_eq(p.dirs[MODE_EBIKE], BOTH);
	ck_assert_uint_eq(p.dirs[MODE_CAR], 0);
	ck_assert(p.speed_kmh[MODE_EBIKE] == 12);
	ck_assert_int_eq(p.road_class, RC_SERVICE);

	t.oneway_bicycle = "no";
	t.cycleway = NULL;
	t.motorcar = "yes";
	t.junction = "roundabout";
	t.oneway = "no";
	p = run(&t);
	ck_assert_uint_eq(p.dirs[MODE_EBIKE], BOTH);
	ck_assert_uint_eq(p.dirs[MODE_CAR], DIR_FWD);
	ck_assert_uint_eq(p.dirs[MODE_WALK], 0);
}
END_TEST

/* ---- maxspeed ------------------------------------------------------------- */

static const struct {
	const char *maxspeed;
	double kmh; /* profile_maxspeed_kmh: 0 = ignored */
} maxspeed_rows[] = {
	{"30", 30},
	{"30.5", 30.5},
	{"20 mph", 32.18688},
	{"50 mph", 80.4672},
	{"5", 5},
	{"120", 120},
	{"7.25", 7.25},
	{"15.5 mph", 24.944832},
	{"none", 0},
	{"walk", 0},
	{"signals", 0},
	{"variable", 0},
	{"30;50", 0},
	{"30,50", 0},
	{"RU:urban", 0},
	{"CN:urban", 0},
	{"DE:zone30", 0},
	{" 30", 0},
	{"30 ", 0},
	{"30 km/h", 0},
	{"30kmh", 0},
	{"30 knots", 0},
	{"20mph", 0},
	{"20  mph", 0},
	{"20 MPH", 0},
	{"30.", 0},
	{".5", 0},
	{"3.0.1", 0},
	{"-30", 0},
	{"+30", 0},
	{"1e2", 0},
	{"0x30", 0},
	{"", 0},
};
#define N_MAXSPEED_ROWS ((int)(sizeof maxspeed_rows / sizeof maxspeed_rows[0]))

START_TEST(test_maxspeed_parse)
{
	const char *v = maxspeed_rows[_i].maxspeed;
	double want = maxspeed_rows[_i].kmh;
	double got = profile_maxspeed_kmh(v);
	ck_assert_msg(fabs(got - want) < 1e-9, "maxspeed \"%s\": %.9g, want %.9g", v, got, want);
}
END_TEST

/* The car uses a numeric maxspeed where it is lower than the table; walking
 * and e-bikes never use it. */
START_TEST(test_maxspeed_car)
{
	static const char *const classes[] = {"primary", "residential", "motorway", "living_street",
					      "tertiary_link"};
	const char *v = maxspeed_rows[_i].maxspeed;
	double ms = maxspeed_rows[_i].kmh;
	for (size_t i = 0; i < sizeof classes / sizeof *classes; i++) {
		struct way_tags plain = {.highway = classes[i]};
		struct way_tags t = {.highway = classes[i], .maxspeed = v};
		struct way_profile ref = run(&plain), p = run(&t);
		double table = ref.speed_kmh[MODE_CAR];
		double want = ms > 0 && ms < table ? ms : table;
		ck_assert_msg(fabs(p.speed_kmh[MODE_CAR] - want) < 1e-4,
			      "highway=%s maxspeed=\"%s\": car %.6g km/h, want %.6g", classes[i], v,
			      p.speed_kmh[MODE_CAR], want);
		ck_assert(p.speed_kmh[MODE_WALK] == ref.speed_kmh[MODE_WALK]);
		ck_assert(p.speed_kmh[MODE_EBIKE] == ref.speed_kmh[MODE_EBIKE]);
		for (int m = 0; m < MODE_COUNT; m++)
			ck_assert_uint_eq(p.dirs[m], ref.dirs[m]);
	}
}
END_TEST

/* Spot checks with the numbers written out. */
START_TEST(test_maxspeed_examples)
{
	struct way_tags t = {.highway = "primary", .maxspeed = "20 mph"};
	struct way_profile p = run(&t);
	ck_assert(fabs(p.speed_kmh[MODE_CAR] - 32.18688) < 1e-4);
	ck_assert(p.speed_kmh[MODE_EBIKE] == 18);

	t.maxspeed = "30.5";
	p = run(&t);
	ck_assert(p.speed_kmh[MODE_CAR] == 30.5f);

	t.maxspeed = "60"; /* higher than the table: ignored */
	p = run(&t);
	ck_assert(p.speed_kmh[MODE_CAR] == 50);

	t.maxspeed = "10"; /* lower than an e-bike: still car only */
	p = run(&t);
	ck_assert(p.speed_kmh[MODE_CAR] == 10);
	ck_assert(p.speed_kmh[MODE_EBIKE] == 18);
	ck_assert(p.speed_kmh[MODE_WALK] == 5);

	t.maxspeed = "0"; /* not a speed a car can use; the table stays */
	p = run(&t);
	ck_assert(p.speed_kmh[MODE_CAR] == 50);
	ck_assert_uint_eq(p.dirs[MODE_CAR], BOTH);

	t.highway = "footway"; /* no car at all, whatever the maxspeed */
	t.maxspeed = "5";
	p = run(&t);
	ck_assert(p.speed_kmh[MODE_CAR] == 0);
	ck_assert_uint_eq(p.dirs[MODE_CAR], 0);
	ck_assert(p.speed_kmh[MODE_EBIKE] == 6);
}
END_TEST

/* A long run of digits is not a crash nor a huge speed that wins. */
START_TEST(test_maxspeed_odd)
{
	ck_assert(profile_maxspeed_kmh(NULL) == 0);
	double v = profile_maxspeed_kmh("99999999999999999999999");
	ck_assert(v == 0 || v >= 1e6);
	struct way_tags t = {.highway = "residential", .maxspeed = "99999999999999999999999"};
	struct way_profile p = run(&t);
	ck_assert(p.speed_kmh[MODE_CAR] == 20);
	t.maxspeed = "0000000000000000000012";
	p = run(&t);
	ck_assert(p.speed_kmh[MODE_CAR] == 20 || p.speed_kmh[MODE_CAR] == 12);
}
END_TEST

Suite *profile_suite(void)
{
	Suite *s = suite_create("profile");
	TCase *tc = tcase_create("table");
	tcase_add_loop_test(tc, test_speed_table, 0, N_SPEED_ROWS);
	tcase_add_test(tc, test_no_highway);
	tcase_add_test(tc, test_class_names);
	tcase_add_test(tc, test_mode_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("access");
	tcase_add_test(tc, test_area);
	tcase_add_loop_test(tc, test_access, 0, N_ACCESS_ROWS);
	suite_add_tcase(s, tc);

	tc = tcase_create("direction");
	tcase_add_loop_test(tc, test_direction, 0, N_DIR_ROWS);
	tcase_add_test(tc, test_direction_with_access);
	suite_add_tcase(s, tc);

	tc = tcase_create("maxspeed");
	tcase_add_loop_test(tc, test_maxspeed_parse, 0, N_MAXSPEED_ROWS);
	tcase_add_loop_test(tc, test_maxspeed_car, 0, N_MAXSPEED_ROWS);
	tcase_add_test(tc, test_maxspeed_examples);
	tcase_add_test(tc, test_maxspeed_odd);
	suite_add_tcase(s, tc);
	return s;
}

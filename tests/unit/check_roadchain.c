/* check_roadchain.c — segments paired end to end for drawing
 * (tiles/roadchain.h): straight on first, same class only, never a turn of
 * 90° or more, never a segment with itself; links are symmetric. */
#include <check.h>
#include <stdlib.h>

#include "common/geo.h"
#include "tiles/roadchain.h"

Suite *roadchain_suite(void);

/* A network of straight two-point segments between the given nodes. */
struct net_fixture {
	struct network net;
	int32_t node_lon[16], node_lat[16], pt_lon[64], pt_lat[64];
	uint32_t from[32], to[32], pt_first[33];
	uint8_t cls[32];
};

static void add_seg(struct net_fixture *f, uint32_t a, uint32_t b, uint8_t cls)
{
	uint32_t s = f->net.seg_count++, p = f->pt_first[s];
	f->from[s] = a;
	f->to[s] = b;
	f->cls[s] = cls;
	f->pt_lon[p] = f->node_lon[a];
	f->pt_lat[p] = f->node_lat[a];
	f->pt_lon[p + 1] = f->node_lon[b];
	f->pt_lat[p + 1] = f->node_lat[b];
	f->pt_first[s + 1] = p + 2;
}

static void setup_net(struct net_fixture *f, const double (*nodes)[2], uint32_t n)
{
	*f = (struct net_fixture){0};
	for (uint32_t i = 0; i < n; i++) {
		f->node_lon[i] = geo_to_e7(nodes[i][0]);
		f->node_lat[i] = geo_to_e7(nodes[i][1]);
	}
	f->net.node_count = n;
	f->net.node_lon_e7 = f->node_lon;
	f->net.node_lat_e7 = f->node_lat;
	f->net.seg_from = f->from;
	f->net.seg_to = f->to;
	f->net.seg_pt_first = f->pt_first;
	f->net.pt_lon_e7 = f->pt_lon;
	f->net.pt_lat_e7 = f->pt_lat;
	f->net.seg_class = f->cls;
}

static void check_symmetric(const struct roadchain *rc)
{
	for (uint32_t i = 0; i < 2 * rc->seg_count; i++)
		if (rc->link[i] != ROADCHAIN_NONE) {
			ck_assert_uint_eq(rc->link[rc->link[i]], i);
			ck_assert_uint_ne(rc->link[i] / 2, i / 2);
		}
}

START_TEST(test_crossing)
{
	/* a crossing at node 0: west (1), east (2), north (3), south (4) arms,
	 * listed so that the first pair met is a right angle */
	static const double nodes[][2] = {{14.5, 35.9}, {14.49, 35.9}, {14.51, 35.9}, {14.5, 35.91}, {14.5, 35.89}};
	struct net_fixture f;
	setup_net(&f, nodes, 5);
	add_seg(&f, 1, 0, 3); /* s0 west arm, ends at the crossing */
	add_seg(&f, 0, 3, 3); /* s1 north arm, starts there */
	add_seg(&f, 0, 2, 3); /* s2 east arm */
	add_seg(&f, 4, 0, 3); /* s3 south arm */
	f.net.pt_count = f.pt_first[f.net.seg_count];
	struct roadchain rc;
	ck_assert_int_eq(roadchain_build(&rc, &f.net), YZ_OK);
	check_symmetric(&rc);
	ck_assert_uint_eq(rc.link[2 * 0 + 1], 2 * 2 + 0); /* west's end → east's start */
	ck_assert_uint_eq(rc.link[2 * 1 + 0], 2 * 3 + 1); /* north's start → south's end */
	ck_assert_uint_eq(rc.link[2 * 0 + 0], ROADCHAIN_NONE); /* the far ends stay open */
	roadchain_free(&rc);
}
END_TEST

START_TEST(test_turns_and_classes)
{
	/* node 0 with arms: west (1), one 80° from it (2: a turn of 100°), and
	 * east (3) of another class */
	static const double nodes[][2] = {{14.5, 35.9}, {14.49, 35.9}, {14.5 - 0.01 * 0.17, 35.9 + 0.01 * 0.98}, {14.51, 35.9}};
	struct net_fixture f;
	setup_net(&f, nodes, 4);
	add_seg(&f, 1, 0, 3);
	add_seg(&f, 0, 2, 3); /* turning sharply back */
	add_seg(&f, 0, 3, 4); /* straight on, but another class */
	f.net.pt_count = f.pt_first[f.net.seg_count];
	struct roadchain rc;
	ck_assert_int_eq(roadchain_build(&rc, &f.net), YZ_OK);
	for (uint32_t i = 0; i < 6; i++)
		ck_assert_uint_eq(rc.link[i], ROADCHAIN_NONE);
	roadchain_free(&rc);

	/* a gentle bend of one class pairs; a loop segment never pairs with itself */
	static const double bend[][2] = {{14.5, 35.9}, {14.49, 35.9}, {14.51, 35.902}};
	setup_net(&f, bend, 3);
	add_seg(&f, 1, 0, 5);
	add_seg(&f, 0, 2, 5);
	add_seg(&f, 2, 2, 5); /* from node 2 back to node 2 (two equal points) */
	f.net.pt_count = f.pt_first[f.net.seg_count];
	ck_assert_int_eq(roadchain_build(&rc, &f.net), YZ_OK);
	check_symmetric(&rc);
	ck_assert_uint_eq(rc.link[1], 2);
	ck_assert_uint_eq(rc.link[4], ROADCHAIN_NONE);
	ck_assert_uint_eq(rc.link[5], ROADCHAIN_NONE);
	roadchain_free(&rc);
}
END_TEST

Suite *roadchain_suite(void)
{
	Suite *s = suite_create("roadchain");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_crossing);
	tcase_add_test(tc, test_turns_and_classes);
	suite_add_tcase(s, tc);
	return s;
}

/* shared_data.h — the shared test datasets (../shared/data, or
 * $YZ_SHARED_DATA) for the unit tests that read them. */
#ifndef YZ_TESTS_SHARED_DATA_H
#define YZ_TESTS_SHARED_DATA_H

struct dataset;

/* The folder of the shared datasets. */
const char *shared_dir(void);

/* A dataset built from a road file given relative to shared_dir() (e.g.
 * "monaco/monaco.osm.pbf"); fails the calling test when it cannot load. */
struct dataset *shared_load_roads(const char *rel);

#endif

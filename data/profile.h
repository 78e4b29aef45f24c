/* profile.h — travel profiles (SPEC §2, §7): from a way's OSM tags to its road
 * class and, per mode, whether it may be used, in which directions, how fast.
 *
 * Pure functions over strings, no GDAL: the rules are tested on their own. */
#ifndef YZ_PROFILE_H
#define YZ_PROFILE_H

#include <stdint.h>

enum mode { MODE_WALK, MODE_EBIKE, MODE_CAR, MODE_COUNT };

/* Road classes, in order of importance for drawing (motorway first). */
#define ROAD_CLASS_TABLE(X)                                                  \
	X(RC_MOTORWAY, "motorway") X(RC_MOTORWAY_LINK, "motorway_link")     \
	X(RC_TRUNK, "trunk") X(RC_TRUNK_LINK, "trunk_link")                 \
	X(RC_PRIMARY, "primary") X(RC_PRIMARY_LINK, "primary_link")         \
	X(RC_SECONDARY, "secondary") X(RC_SECONDARY_LINK, "secondary_link") \
	X(RC_TERTIARY, "tertiary") X(RC_TERTIARY_LINK, "tertiary_link")     \
	X(RC_UNCLASSIFIED, "unclassified") X(RC_RESIDENTIAL, "residential") \
	X(RC_LIVING_STREET, "living_street") X(RC_SERVICE, "service")       \
	X(RC_ROAD, "road") X(RC_CYCLEWAY, "cycleway") X(RC_TRACK, "track")  \
	X(RC_PATH, "path") X(RC_FOOTWAY, "footway")                         \
	X(RC_PEDESTRIAN, "pedestrian") X(RC_STEPS, "steps")

enum road_class {
#define RC_ENUM(e, s) e,
	ROAD_CLASS_TABLE(RC_ENUM)
#undef RC_ENUM
	RC_COUNT,
	RC_NONE = RC_COUNT /* not a road for any mode */
};

/* The tags the profiles read; NULL = tag absent. */
struct way_tags {
	const char *highway, *oneway, *junction, *access, *area;
	const char *foot, *bicycle, *motor_vehicle, *motorcar;
	const char *maxspeed, *oneway_bicycle, *cycleway;
};

/* Direction bits of a way for one mode. */
#define DIR_FWD 1u /* along the way's node order */
#define DIR_BWD 2u /* against it */

struct way_profile {
	enum road_class road_class;       /* RC_NONE when no mode can use it */
	float speed_kmh[MODE_COUNT];      /* > 0 when the mode may use the way */
	uint8_t dirs[MODE_COUNT];         /* DIR_FWD|DIR_BWD; 0 when not usable */
};

/* Apply SPEC §2/§7 to a way's tags.  Never fails: an unusable way gets
 * dirs = 0 for every mode. */
void profile_way(const struct way_tags *t, struct way_profile *out);

/* Class of a highway value, RC_NONE when not in the table. */
enum road_class profile_class(const char *highway);
const char *profile_class_name(enum road_class c);

/* "walk" / "ebike" / "car"; mode_parse returns -1 when unknown. */
const char *mode_name(enum mode m);
int mode_parse(const char *s);

/* Numeric maxspeed in km/h per SPEC §7 ("N", "N.N", "N mph"); 0 when the
 * value is absent or not of those forms. */
double profile_maxspeed_kmh(const char *maxspeed);

#endif

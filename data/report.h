/* report.h — what a load skipped, and why: counted, named warnings (SPEC §1).
 *
 * Each kind is counted; the first few messages of each kind are kept word for
 * word (`station 17 "xx": no geometry`) for the summary line and /health. */
#ifndef YZ_REPORT_H
#define YZ_REPORT_H

#define LOAD_WARN_TABLE(X)                                              \
	X(LW_ROAD_GEOMETRY, "road_geometry")                            \
	X(LW_ROAD_CRS, "road_crs")                                      \
	X(LW_STATION_GEOMETRY, "station_geometry")                      \
	X(LW_STATION_DUPLICATE_ID, "station_duplicate_id")              \
	X(LW_STATION_UNKNOWN_SERVICE, "station_unknown_service")        \
	X(LW_STATION_OUTSIDE, "station_outside_roads")                  \
	X(LW_STATION_FIELD, "station_field")                            \
	X(LW_COMMUNITY_GEOMETRY, "community_geometry")                  \
	X(LW_COMMUNITY_FIELD, "community_field")

enum load_warn {
#define LW_ENUM(e, s) e,
	LOAD_WARN_TABLE(LW_ENUM)
#undef LW_ENUM
	LW_COUNT
};

#define REPORT_KEEP 5    /* messages kept per kind */
#define REPORT_MSG 192

struct load_report {
	unsigned count[LW_COUNT];
	char msg[LW_COUNT][REPORT_KEEP][REPORT_MSG];
};

void report_init(struct load_report *r);
/* Count one warning of kind `w`; keep its message while fewer than
 * REPORT_KEEP are kept. */
void report_warn(struct load_report *r, enum load_warn w, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
unsigned report_total(const struct load_report *r);
const char *report_kind_name(enum load_warn w);

#endif

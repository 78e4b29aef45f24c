/* services.h — the fixed vocabulary of station services (SPEC §1).
 *
 * A station's services are a bit set (`uint32_t`, bit i = service i of the
 * table).  The X-macro gives the enum, the English key used in data and the
 * API, and the Chinese label shown on the page. */
#ifndef YZ_SERVICES_H
#define YZ_SERVICES_H

#include <stddef.h>
#include <stdint.h>

#define SERVICE_TABLE(X)                 \
	X(SVC_WATER, "water", "饮水")      \
	X(SVC_HOT_WATER, "hot_water", "热水") \
	X(SVC_CHARGING, "charging", "充电") \
	X(SVC_MICROWAVE, "microwave", "微波炉热饭") \
	X(SVC_TOILET, "toilet", "卫生间")  \
	X(SVC_WIFI, "wifi", "无线网络")    \
	X(SVC_FIRST_AID, "first_aid", "急救药箱") \
	X(SVC_UMBRELLA, "umbrella", "雨具") \
	X(SVC_SEATING, "seating", "休息座椅") \
	X(SVC_HEATING, "heating", "取暖")  \
	X(SVC_COOLING, "cooling", "纳凉")  \
	X(SVC_REPAIR, "repair", "维修工具") \
	X(SVC_READING, "reading", "阅读")  \
	X(SVC_LEGAL_AID, "legal_aid", "法律援助")

enum service {
#define SERVICE_ENUM(e, key, zh) e,
	SERVICE_TABLE(SERVICE_ENUM)
#undef SERVICE_ENUM
	SERVICE_COUNT
};

/* English key of service i ("charging"); NULL when out of range. */
const char *service_key(unsigned i);
/* Chinese label of service i ("充电"); NULL when out of range. */
const char *service_label_zh(unsigned i);
/* Index of the service whose key is the `len` bytes at `s`, compared
 * case-insensitively after trimming ASCII spaces; -1 when unknown. */
int service_lookup(const char *s, size_t len);

#endif

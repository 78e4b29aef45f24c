/* services.c — the service vocabulary's strings; see services.h. */
#include "services.h"

#include <strings.h>

static const char *const svc_key[] = {
#define SERVICE_KEY(e, key, zh) key,
	SERVICE_TABLE(SERVICE_KEY)
#undef SERVICE_KEY
};

static const char *const svc_zh[] = {
#define SERVICE_ZH(e, key, zh) zh,
	SERVICE_TABLE(SERVICE_ZH)
#undef SERVICE_ZH
};

const char *service_key(unsigned i)
{
	return i < SERVICE_COUNT ? svc_key[i] : NULL;
}

const char *service_label_zh(unsigned i)
{
	return i < SERVICE_COUNT ? svc_zh[i] : NULL;
}

int service_lookup(const char *s, size_t len)
{
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	for (unsigned i = 0; i < SERVICE_COUNT; i++) {
		const char *k = svc_key[i];
		size_t n = 0;
		while (k[n])
			n++;
		if (n == len && strncasecmp(k, s, len) == 0)
			return (int)i;
	}
	return -1;
}

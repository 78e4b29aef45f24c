/* shared_data.c — see shared_data.h. */
#include "shared_data.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "server/dataset.h"

const char *shared_dir(void)
{
	const char *d = getenv("YZ_SHARED_DATA");
	return d && *d ? d : "../shared/data";
}

struct dataset *shared_load_roads(const char *rel)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", shared_dir(), rel);
	struct dataset_sources src = {.roads = path};
	struct dataset *d = NULL;
	struct yz_errbuf eb;
	ck_assert_msg(dataset_build(&src, &d, &eb) == YZ_OK, "%s", eb.msg);
	return d;
}

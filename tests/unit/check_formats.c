/* check_formats.c — reading stations, communities and roads from the
 * formats SPEC §1 names besides GeoJSON: GeoPackage, Shapefile (with its own
 * projected CRS in a .prj), CSV, and a generic line layer with `highway` in a
 * projected CRS.
 * The files are written here with OGR itself, in a temporary folder. */
#include <check.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/geo.h"
#include "common/services.h"
#include "data/communities.h"
#include "data/crs.h"
#include "data/ogr_source.h"
#include "data/roads.h"
#include "data/stations.h"

Suite *formats_suite(void);

static char tmpdir[256];

static void make_tmp(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/yizhan-formats-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	ogr_init();
}

static void rm_tmp(void)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Points: the stations' lon/lat in WGS84, written in `epsg` coordinates. */
static const double st_lon[3] = {121.47, 121.48, 121.475};
static const double st_lat[3] = {31.23, 31.235, 31.24};

static void write_points(const char *driver, const char *path, int epsg)
{
	GDALDriverH drv = GDALGetDriverByName(driver);
	ck_assert_ptr_nonnull(drv);
	GDALDatasetH ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
	ck_assert_ptr_nonnull(ds);
	OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
	OSRImportFromEPSG(srs, epsg);
	OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
	/* Shapefiles: declare UTF-8 (a .cpg); GDAL recodes a GBK .cpg on read */
	char *lco[] = {"ENCODING=UTF-8", NULL};
	OGRLayerH lyr = GDALDatasetCreateLayer(ds, "stations", srs, wkbPoint,
					       strcmp(driver, "ESRI Shapefile") ? NULL : lco);
	ck_assert_ptr_nonnull(lyr);
	const char *fields[] = {"id", "name", "services", "hours"};
	for (int i = 0; i < 4; i++) {
		OGRFieldDefnH fd = OGR_Fld_Create(fields[i], OFTString);
		OGR_L_CreateField(lyr, fd, 1);
		OGR_Fld_Destroy(fd);
	}
	/* forward transform for writing: WGS84 → epsg, through OSR */
	OGRSpatialReferenceH wgs = OSRNewSpatialReference(NULL);
	OSRImportFromEPSG(wgs, 4326);
	OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
	OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(wgs, srs);
	ck_assert_ptr_nonnull(ct);
	for (int i = 0; i < 3; i++) {
		OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
		char id[16];
		snprintf(id, sizeof id, "S%d", i);
		OGR_F_SetFieldString(f, 0, id);
		OGR_F_SetFieldString(f, 1, i == 1 ? "二号驿站" : "驿站");
		OGR_F_SetFieldString(f, 2, "water;charging");
		OGR_F_SetFieldString(f, 3, "24/7");
		double x = st_lon[i], y = st_lat[i];
		ck_assert(OCTTransform(ct, 1, &x, &y, NULL));
		OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
		OGR_G_SetPoint_2D(g, 0, x, y);
		OGR_F_SetGeometry(f, g);
		OGR_G_DestroyGeometry(g);
		ck_assert_int_eq(OGR_L_CreateFeature(lyr, f), OGRERR_NONE);
		OGR_F_Destroy(f);
	}
	OCTDestroyCoordinateTransformation(ct);
	OSRDestroySpatialReference(wgs);
	OSRDestroySpatialReference(srs);
	GDALClose(ds);
}

static void check_stations(const char *path, const char *crs, double tol_deg)
{
	struct config_source_def src;
	memset(&src, 0, sizeof src);
	snprintf(src.path, sizeof src.path, "%s", path);
	if (crs)
		snprintf(src.crs, sizeof src.crs, "%s", crs);
	struct stationset ss;
	struct load_report rep;
	report_init(&rep);
	struct yz_errbuf eb;
	ck_assert_msg(stations_read(&ss, &src, NULL, &rep, &eb) == YZ_OK, "%s", eb.msg);
	ck_assert_uint_eq(ss.count, 3);
	ck_assert_uint_eq(report_total(&rep), 0);
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_msg(fabs(geo_from_e7(ss.items[i].lon_e7) - st_lon[i]) < tol_deg, "%s lon %u", path, i);
		ck_assert_msg(fabs(geo_from_e7(ss.items[i].lat_e7) - st_lat[i]) < tol_deg, "%s lat %u", path, i);
		ck_assert_uint_eq(ss.items[i].services, (1u << SVC_WATER) | (1u << SVC_CHARGING));
	}
	ck_assert_str_eq(ss.strings.data + ss.items[1].name, "二号驿站");
	ck_assert_str_eq(ss.strings.data + ss.items[2].id, "S2");
	stations_free(&ss);
}

START_TEST(test_geopackage_wgs84)
{
	make_tmp();
	char path[512];
	snprintf(path, sizeof path, "%s/stations.gpkg", tmpdir);
	write_points("GPKG", path, 4326);
	check_stations(path, NULL, 1e-7);
	rm_tmp();
}
END_TEST

START_TEST(test_shapefile_own_projected_crs)
{
	/* EPSG:4547 (CGCS2000 / 3-degree Gauss-Kruger CM 114E) in the .prj:
	 * read through the layer's own CRS, no config needed */
	make_tmp();
	char path[512];
	snprintf(path, sizeof path, "%s/stations.shp", tmpdir);
	write_points("ESRI Shapefile", path, 4547);
	check_stations(path, NULL, 2e-6);
	/* the config's CRS overrides the file's: giving the right one agrees */
	check_stations(path, "EPSG:4547", 2e-6);
	rm_tmp();
}
END_TEST

START_TEST(test_csv_columns)
{
	make_tmp();
	char path[512];
	snprintf(path, sizeof path, "%s/stations.csv", tmpdir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "id,name,services,hours,lon,lat\n");
	for (int i = 0; i < 3; i++)
		fprintf(f, "S%d,%s,water;charging,24/7,%.7f,%.7f\n", i, i == 1 ? "二号驿站" : "驿站",
			st_lon[i], st_lat[i]);
	fclose(f);
	check_stations(path, NULL, 1e-7);
	rm_tmp();
}
END_TEST

START_TEST(test_gpkg_line_layer_roads)
{
	/* a generic line layer with a highway field, in a projected CRS */
	make_tmp();
	char path[512];
	snprintf(path, sizeof path, "%s/roads.gpkg", tmpdir);
	GDALDriverH drv = GDALGetDriverByName("GPKG");
	GDALDatasetH ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
	ck_assert_ptr_nonnull(ds);
	OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
	OSRImportFromEPSG(srs, 3857);
	OGRLayerH lyr = GDALDatasetCreateLayer(ds, "roads", srs, wkbLineString, NULL);
	OGRFieldDefnH fd = OGR_Fld_Create("highway", OFTString);
	OGR_L_CreateField(lyr, fd, 1);
	OGR_Fld_Destroy(fd);
	fd = OGR_Fld_Create("oneway", OFTString);
	OGR_L_CreateField(lyr, fd, 1);
	OGR_Fld_Destroy(fd);
	/* two ways sharing their middle point: 3 junctions */
	double xs[2][2] = {{13522000, 13523000}, {13522500, 13522500}};
	double ys[2][2] = {{3662000, 3662000}, {3661500, 3662500}};
	for (int w = 0; w < 2; w++) {
		OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
		OGR_F_SetFieldString(f, 0, "residential");
		if (w == 1)
			OGR_F_SetFieldString(f, 1, "yes");
		OGRGeometryH g = OGR_G_CreateGeometry(wkbLineString);
		OGR_G_AddPoint_2D(g, xs[w][0], ys[w][0]);
		OGR_G_AddPoint_2D(g, (xs[w][0] + xs[w][1]) / 2, (ys[w][0] + ys[w][1]) / 2);
		OGR_G_AddPoint_2D(g, xs[w][1], ys[w][1]);
		OGR_F_SetGeometry(f, g);
		OGR_G_DestroyGeometry(g);
		ck_assert_int_eq(OGR_L_CreateFeature(lyr, f), OGRERR_NONE);
		OGR_F_Destroy(f);
	}
	OSRDestroySpatialReference(srs);
	GDALClose(ds);

	struct roadset rs;
	struct load_report rep;
	report_init(&rep);
	struct yz_errbuf eb;
	ck_assert_msg(roads_read(&rs, path, NULL, NULL, NULL, &rep, &eb) == YZ_OK, "%s", eb.msg);
	ck_assert_uint_eq(rs.way_count, 2);
	ck_assert_uint_eq(rs.pt_count, 6);
	/* reprojected from web mercator: x = 13522500 m is lon 121.4755…° */
	double lon = geo_from_e7(rs.pt_lon_e7[1]);
	double expect = 13522500.0 / 6378137.0 * 180.0 / M_PI;
	ck_assert_msg(fabs(lon - expect) < 1e-6, "lon %.7f expected %.7f", lon, expect);
	/* the shared middle points coincide exactly (topology by coordinates) */
	ck_assert_int_eq(rs.pt_lon_e7[1], rs.pt_lon_e7[4]);
	ck_assert_int_eq(rs.pt_lat_e7[1], rs.pt_lat_e7[4]);
	ck_assert_uint_eq(rs.way_prof[1].dirs[MODE_CAR], DIR_FWD);
	roads_free(&rs);
	rm_tmp();
}
END_TEST

Suite *formats_suite(void)
{
	Suite *s = suite_create("formats");
	TCase *tc = tcase_create("formats");
	tcase_add_test(tc, test_geopackage_wgs84);
	tcase_add_test(tc, test_shapefile_own_projected_crs);
	tcase_add_test(tc, test_csv_columns);
	tcase_add_test(tc, test_gpkg_line_layer_roads);
	suite_add_tcase(s, tc);
	return s;
}

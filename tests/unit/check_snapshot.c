/* check_snapshot.c — data/snapshot (the sectioned, checksummed file) and the
 * dataset snapshot built on it (server/dataset.c).
 *
 * File level: round trips of several sections (contents, sizes, 64-byte
 * alignment), and refusal with the documented code for a missing, empty,
 * truncated, padded, bit-flipped, wrong-version or hostile file.  The layout
 * used to patch files here is the one snapshot.h documents (64-byte header:
 * magic[8], version u32 @8, byte-order mark u32 @12, count u32 @16, table CRC
 * u32 @20, file size u64 @24, header CRC u32 @32 over bytes 0..31; then
 * 24-byte entries {id, crc, offset u64, size u64}); CRCs are zlib's crc32.
 *
 * Dataset level: the bundled data/shanghai built, saved, loaded back and
 * compared array by array; truncated, bit-flipped and hostile copies (CRCs
 * recomputed, so only the content validators stand between them and a
 * search) never crash and are refused. */
#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "data/snapshot.h"
#include "server/dataset.h"

Suite *snapshot_suite(void);

#define HDR 64
#define ENTRY 24
#define OFF_VERSION 8
#define OFF_BOM 12
#define OFF_COUNT 16
#define OFF_TABLE_CRC 20
#define OFF_FILE_SIZE 24
#define OFF_HEADER_CRC 32

/* ---- helpers ------------------------------------------------------------------ */

static char tmpdir[256];

static void make_tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/yz-snap-XXXXXX", t && *t ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *tmp_path(const char *name)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	return path;
}

static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *buf = malloc(n > 0 ? (size_t)n : 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(p, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

static uint32_t rd32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static void wr32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void wr64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static uint32_t crc(const void *p, size_t n)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), p, (uInt)n);
}

/* Recompute the table CRC and the header CRC after patching a file. */
static void fix_crcs(unsigned char *b)
{
	uint32_t count = rd32(b + OFF_COUNT);
	wr32(b + OFF_TABLE_CRC, crc(b + HDR, (size_t)count * ENTRY));
	wr32(b + OFF_HEADER_CRC, crc(b, OFF_HEADER_CRC));
}

/* Recompute the CRC of section i (its table entry), then the table's. */
static void fix_section_crc(unsigned char *b, uint32_t i)
{
	unsigned char *e = b + HDR + (size_t)i * ENTRY;
	wr32(e + 4, crc(b + rd64(e + 8), (size_t)rd64(e + 16)));
	fix_crcs(b);
}

/* An aligned heap copy of exactly n bytes (ASan sees reads past its end). */
static unsigned char *aligned_copy(const void *p, size_t n)
{
	void *m = NULL;
	ck_assert_int_eq(posix_memalign(&m, 64, n ? n : 1), 0);
	memcpy(m, p, n);
	return m;
}

/* ---- the file format ---------------------------------------------------------- */

#define N_SECS 6
static unsigned char sec_data[N_SECS][5000];
static const uint32_t sec_id[N_SECS] = {1, 7, 3, 100, 2, 0xFFFFFFFFu};
static const uint64_t sec_size[N_SECS] = {1000, 0, 65, 4096, 1, 64};

static void sections(struct snap_section *s)
{
	for (int i = 0; i < N_SECS; i++) {
		for (uint64_t k = 0; k < sec_size[i]; k++)
			sec_data[i][k] = (unsigned char)(k * 31 + (uint64_t)i * 7 + 1);
		s[i] = (struct snap_section){sec_id[i], sec_data[i], sec_size[i]};
	}
}

static uint64_t align64(uint64_t x)
{
	return (x + 63) / 64 * 64;
}

/* Every section reads back with its size and bytes, 64-aligned. */
static void expect_sections(const struct snapshot *s)
{
	ck_assert_uint_eq(s->count, N_SECS);
	ck_assert_uint_eq((uintptr_t)s->base % 64, 0);
	for (int i = 0; i < N_SECS; i++) {
		uint64_t size = 12345;
		const unsigned char *p = snap_get(s, sec_id[i], &size);
		ck_assert_msg(p != NULL, "section %u missing", sec_id[i]);
		ck_assert_uint_eq(size, sec_size[i]);
		ck_assert_uint_eq((uintptr_t)p % 64, 0);
		ck_assert(p >= s->base && p + size <= s->base + s->size);
		ck_assert(!memcmp(p, sec_data[i], sec_size[i]));
	}
	uint64_t size = 12345;
	ck_assert_ptr_null(snap_get(s, 4, &size));
	ck_assert_uint_eq(size, 0);
	ck_assert_ptr_null(snap_get(s, 0, NULL));
}

static unsigned char *small_file(size_t *len)
{
	struct snap_section s[N_SECS];
	struct yz_errbuf eb = {""};
	sections(s);
	ck_assert_msg(snap_write(tmp_path("small.snap"), s, N_SECS, &eb) == YZ_OK, "%s", eb.msg);
	return read_file(tmp_path("small.snap"), len);
}

START_TEST(test_round_trip)
{
	make_tmpdir();
	struct snap_section s[N_SECS];
	struct yz_errbuf eb = {""};
	sections(s);
	const char *path = tmp_path("a.snap");
	ck_assert_msg(snap_write(path, s, N_SECS, &eb) == YZ_OK, "%s", eb.msg);

	/* size from the documented layout */
	uint64_t want = align64(HDR + N_SECS * ENTRY);
	for (int i = 0; i < N_SECS; i++)
		want = align64(want + sec_size[i]);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq((uint64_t)st.st_size, want);

	struct snapshot snap;
	ck_assert_msg(snap_open(&snap, path, &eb) == YZ_OK, "%s", eb.msg);
	expect_sections(&snap);
	snap_close(&snap);
	ck_assert_ptr_null(snap.base);
	snap_close(&snap); /* twice is harmless */

	/* the same bytes in memory */
	size_t len;
	unsigned char *bytes = read_file(path, &len);
	unsigned char *copy = aligned_copy(bytes, len);
	ck_assert_int_eq(snap_open_mem(&snap, copy, len, &eb), YZ_OK);
	expect_sections(&snap);
	ck_assert_ptr_eq(snap.base, copy);
	snap_close(&snap); /* borrowed: not freed */
	ck_assert_int_eq(copy[0], 'Y');
	free(copy);
	free(bytes);

	/* rewriting replaces the file and leaves no temporary behind */
	s[0].size = 10;
	ck_assert_int_eq(snap_write(path, s, 1, &eb), YZ_OK);
	ck_assert_int_eq(snap_open(&snap, path, &eb), YZ_OK);
	ck_assert_uint_eq(snap.count, 1);
	snap_close(&snap);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "test $(ls '%s' | wc -l) -eq 1", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	remove_tmpdir();
}
END_TEST

START_TEST(test_no_sections)
{
	make_tmpdir();
	struct yz_errbuf eb = {""};
	struct snapshot snap;
	ck_assert_int_eq(snap_write(tmp_path("e.snap"), NULL, 0, &eb), YZ_OK);
	ck_assert_int_eq(snap_open(&snap, tmp_path("e.snap"), &eb), YZ_OK);
	ck_assert_uint_eq(snap.count, 0);
	ck_assert_uint_eq(snap.size, HDR);
	ck_assert_ptr_null(snap_get(&snap, 1, NULL));
	snap_close(&snap);
	remove_tmpdir();
}
END_TEST

START_TEST(test_write_errors)
{
	make_tmpdir();
	struct snap_section s[N_SECS];
	struct yz_errbuf eb = {""};
	sections(s);
	const char *path = tmp_path("no/such/dir/x.snap");
	ck_assert_int_eq(snap_write(path, s, N_SECS, &eb), YZ_EIO);
	ck_assert_msg(strstr(eb.msg, "no/such/dir/x.snap") != NULL, "message \"%s\"", eb.msg);
	/* a directory in the way of the rename */
	ck_assert_int_eq(mkdir(tmp_path("d.snap"), 0755), 0);
	ck_assert_int_eq(snap_write(tmp_path("d.snap"), s, N_SECS, &eb), YZ_EIO);
	ck_assert_msg(strstr(eb.msg, "d.snap") != NULL, "message \"%s\"", eb.msg);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "test $(ls '%s' | wc -l) -eq 1", tmpdir);
	ck_assert_msg(system(cmd) == 0, "a temporary file was left behind");
	remove_tmpdir();
}
END_TEST

START_TEST(test_missing_and_empty)
{
	make_tmpdir();
	struct yz_errbuf eb = {""};
	struct snapshot snap;
	const char *path = tmp_path("missing.snap");
	ck_assert_int_eq(snap_open(&snap, path, &eb), YZ_EIO);
	ck_assert_msg(strstr(eb.msg, path) != NULL, "message \"%s\"", eb.msg);
	ck_assert_ptr_null(snap.base);

	ck_assert_int_eq(snap_open(&snap, tmpdir, &eb), YZ_EIO); /* a directory */

	write_file(tmp_path("empty.snap"), "", 0);
	ck_assert_int_eq(snap_open(&snap, tmp_path("empty.snap"), &eb), YZ_EFORMAT);
	ck_assert_msg(strstr(eb.msg, "empty.snap") != NULL, "message \"%s\"", eb.msg);

	static const char text[] = "name = not a snapshot\n[roads]\npath = x\n"
				   "...............................................\n";
	write_file(tmp_path("text.snap"), text, sizeof text - 1);
	ck_assert_int_eq(snap_open(&snap, tmp_path("text.snap"), &eb), YZ_EFORMAT);
	ck_assert_int_eq(snap_open_mem(&snap, text, 0, &eb), YZ_EFORMAT);
	remove_tmpdir();
}
END_TEST

/* Every truncation is refused as EFORMAT, from memory and from a file. */
START_TEST(test_truncated)
{
	make_tmpdir();
	size_t len;
	unsigned char *b = small_file(&len);
	struct yz_errbuf eb;
	struct snapshot snap;
	for (size_t n = 0; n < len; n++) {
		unsigned char *copy = aligned_copy(b, n);
		eb.msg[0] = '\0';
		enum yz_err err = snap_open_mem(&snap, copy, n, &eb);
		ck_assert_msg(err == YZ_EFORMAT, "truncated to %zu of %zu: %s (%s)", n, len,
			      yz_strerror(err), eb.msg);
		ck_assert(eb.msg[0] != '\0');
		free(copy);
	}
	/* through the file: every length up to past the header, then a sweep */
	for (size_t n = 0; n < len; n += n < HDR + 2 * ENTRY ? 1 : 97) {
		write_file(tmp_path("t.snap"), b, n);
		enum yz_err err = snap_open(&snap, tmp_path("t.snap"), &eb);
		ck_assert_msg(err == YZ_EFORMAT, "file truncated to %zu: %s", n, yz_strerror(err));
	}
	/* and padded */
	unsigned char *longer = calloc(len + 64, 1);
	memcpy(longer, b, len);
	ck_assert_int_eq(snap_open_mem(&snap, longer, len + 1, &eb), YZ_EFORMAT);
	ck_assert_int_eq(snap_open_mem(&snap, longer, len + 64, &eb), YZ_EFORMAT);
	free(longer);
	free(b);
	remove_tmpdir();
}
END_TEST

/* One bit flipped anywhere: refused (with the code that fits the place), or —
 * only in padding no checksum covers — accepted with every section intact. */
START_TEST(test_bit_flips)
{
	make_tmpdir();
	size_t len;
	unsigned char *b = small_file(&len);
	/* which bytes hold data: header fields, table, sections */
	unsigned char *covered = calloc(len, 1);
	ck_assert_ptr_nonnull(covered);
	memset(covered, 1, OFF_HEADER_CRC + 4);
	memset(covered + HDR, 1, N_SECS * ENTRY);
	for (int i = 0; i < N_SECS; i++) {
		const unsigned char *e = b + HDR + (size_t)i * ENTRY;
		uint64_t off = rd64(e + 8), size = rd64(e + 16);
		ck_assert_uint_eq(off % 64, 0);
		ck_assert_uint_le(off + size, len);
		memset(covered + off, 1, size);
	}
	unsigned accepted = 0, refused = 0;
	unsigned char *copy = aligned_copy(b, len);
	for (size_t pos = 0; pos < len; pos++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(copy, b, len);
			copy[pos] ^= (unsigned char)(1u << bit);
			struct snapshot snap;
			struct yz_errbuf eb = {""};
			enum yz_err err = snap_open_mem(&snap, copy, len, &eb);
			if (err == YZ_OK) {
				ck_assert_msg(!covered[pos], "flip at byte %zu bit %d accepted", pos, bit);
				expect_sections(&snap);
				accepted++;
				continue;
			}
			refused++;
			enum yz_err want;
			if (pos < 8)
				want = YZ_EFORMAT;              /* magic */
			else if (pos >= OFF_BOM && pos < OFF_BOM + 4)
				want = YZ_EFORMAT;              /* a damaged mark is no byte order */
			else
				want = YZ_ECHECKSUM;
			ck_assert_msg(err == want, "flip at byte %zu bit %d: %s (%s), want %s", pos, bit,
				      yz_strerror(err), eb.msg, yz_strerror(want));
			ck_assert(eb.msg[0] != '\0');
		}
	}
	/* everything covered was refused; only padding was accepted */
	size_t n_covered = 0;
	for (size_t pos = 0; pos < len; pos++)
		n_covered += covered[pos];
	ck_assert_uint_eq(refused, n_covered * 8);
	ck_assert_uint_eq(accepted, (len - n_covered) * 8);
	free(copy);
	free(covered);
	free(b);
	remove_tmpdir();
}
END_TEST

/* A file written on a machine of the other byte order, and a file of another
 * version, each with valid checksums: refused as EVERSION, for that reason. */
START_TEST(test_version)
{
	make_tmpdir();
	size_t len;
	unsigned char *b = small_file(&len);
	struct snapshot snap;
	struct yz_errbuf eb = {""};
	ck_assert_uint_eq(rd32(b + OFF_VERSION), SNAP_VERSION);

	unsigned char *copy = aligned_copy(b, len);
	static const uint32_t versions[] = {0, SNAP_VERSION + 1, 0x100, 0xFFFFFFFFu};
	for (size_t i = 0; i < sizeof versions / sizeof *versions; i++) {
		memcpy(copy, b, len);
		wr32(copy + OFF_VERSION, versions[i]);
		/* without fixing the header CRC it is a checksum error … */
		ck_assert_int_eq(snap_open_mem(&snap, copy, len, &eb), YZ_ECHECKSUM);
		/* … with it, the version check itself speaks */
		fix_crcs(copy);
		ck_assert_int_eq(snap_open_mem(&snap, copy, len, &eb), YZ_EVERSION);
		char want[32];
		snprintf(want, sizeof want, "version %u", versions[i]);
		ck_assert_msg(strstr(eb.msg, want) != NULL, "message \"%s\"", eb.msg);
		write_file(tmp_path("v.snap"), copy, len);
		ck_assert_int_eq(snap_open(&snap, tmp_path("v.snap"), &eb), YZ_EVERSION);
		ck_assert_msg(strstr(eb.msg, "v.snap") != NULL, "message \"%s\"", eb.msg);
	}
	/* the other byte order: every field swapped, as such a machine writes it */
	memcpy(copy, b, len);
	for (int off = OFF_VERSION; off < OFF_FILE_SIZE; off += 4)
		wr32(copy + off, __builtin_bswap32(rd32(copy + off)));
	wr64(copy + OFF_FILE_SIZE, __builtin_bswap64(rd64(copy + OFF_FILE_SIZE)));
	wr32(copy + OFF_HEADER_CRC, __builtin_bswap32(crc(copy, OFF_HEADER_CRC)));
	ck_assert_int_eq(snap_open_mem(&snap, copy, len, &eb), YZ_EVERSION);
	ck_assert_msg(strstr(eb.msg, "byte order") != NULL, "message \"%s\"", eb.msg);
	free(copy);
	free(b);
	remove_tmpdir();
}
END_TEST

/* Bounds a CRC cannot vouch for: patched with every checksum recomputed. */
START_TEST(test_hostile_header_and_table)
{
	make_tmpdir();
	size_t len;
	unsigned char *b = small_file(&len);
	unsigned char *copy = aligned_copy(b, len);
	struct snapshot snap;
	struct yz_errbuf eb = {""};
	unsigned char *e0 = copy + HDR; /* first entry */

	/* file size that disagrees with the real one */
	wr64(copy + OFF_FILE_SIZE, len + 64);
	fix_crcs(copy);
	ck_assert_int_eq(snap_open_mem(&snap, copy, len, &eb), YZ_EFORMAT);

	/* more sections than the file can hold a table for */
	static const uint32_t counts[] = {1000, 4097, 0xFFFFFFFFu, 0x0AAAAAABu};
	for (size_t i = 0; i < sizeof counts / sizeof *counts; i++) {
		memcpy(copy, b, len);
		wr32(copy + OFF_COUNT, counts[i]);
		wr32(copy + OFF_HEADER_CRC, crc(copy, OFF_HEADER_CRC));
		enum yz_err err = snap_open_mem(&snap, copy, len, &eb);
		ck_assert_msg(err == YZ_EFORMAT, "count %u: %s", counts[i], yz_strerror(err));
	}

	/* a section out of bounds or misaligned */
	const uint64_t off0 = rd64(e0 + 8);
	const struct {
		uint64_t offset, size;
	} bad[] = {
		{off0, UINT64_MAX}, {off0, 1u << 20}, {off0 + 1, 1000}, {off0 + 32, 16},
		{UINT64_MAX & ~(uint64_t)63, 1}, {len, 1}, {len + 64, 0}, {off0, len - off0 + 1},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		memcpy(copy, b, len);
		wr64(e0 + 8, bad[i].offset);
		wr64(e0 + 16, bad[i].size);
		fix_crcs(copy);
		enum yz_err err = snap_open_mem(&snap, copy, len, &eb);
		ck_assert_msg(err == YZ_EFORMAT, "case %zu: %s (%s)", i, yz_strerror(err), eb.msg);
	}
	/* a section that ends exactly at the end of the file is fine */
	memcpy(copy, b, len);
	wr64(e0 + 16, len - off0);
	fix_section_crc(copy, 0);
	ck_assert_int_eq(snap_open_mem(&snap, copy, len, &eb), YZ_OK);
	uint64_t size;
	ck_assert_ptr_nonnull(snap_get(&snap, sec_id[0], &size));
	ck_assert_uint_eq(size, len - off0);

	/* a changed section byte with only the table CRC fixed: still a checksum error */
	memcpy(copy, b, len);
	copy[off0] ^= 0xFF;
	fix_crcs(copy);
	ck_assert_int_eq(snap_open_mem(&snap, copy, len, &eb), YZ_ECHECKSUM);
	/* with its own CRC fixed too the file is well formed again */
	fix_section_crc(copy, 0);
	ck_assert_int_eq(snap_open_mem(&snap, copy, len, &eb), YZ_OK);
	free(copy);
	free(b);
	remove_tmpdir();
}
END_TEST

/* ---- datasets ------------------------------------------------------------------- */

/* Built once per test case in the parent process, shared by the forked tests. */
static struct dataset *built;
static unsigned char *snap_bytes;
static size_t snap_len;
static char ds_tmpdir[256];

static void dataset_setup(void)
{
	struct dataset_sources src = {.dir = "data/shanghai"};
	struct yz_errbuf eb = {""};
	enum yz_err err = dataset_build(&src, &built, &eb);
	if (err) {
		fprintf(stderr, "dataset_build data/shanghai: %s\n", eb.msg);
		abort();
	}
	const char *t = getenv("TMPDIR");
	snprintf(ds_tmpdir, sizeof ds_tmpdir, "%s/yz-dsnap-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(ds_tmpdir))
		abort();
	char path[400];
	snprintf(path, sizeof path, "%s/shanghai.snap", ds_tmpdir);
	if (dataset_save(built, path, &eb) != YZ_OK) {
		fprintf(stderr, "dataset_save: %s\n", eb.msg);
		abort();
	}
	FILE *f = fopen(path, "rb");
	if (!f)
		abort();
	fseek(f, 0, SEEK_END);
	snap_len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	snap_bytes = malloc(snap_len);
	if (!snap_bytes || fread(snap_bytes, 1, snap_len, f) != snap_len)
		abort();
	fclose(f);
}

static void dataset_teardown(void)
{
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", ds_tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", ds_tmpdir);
	dataset_free(built);
	free(snap_bytes);
	built = NULL;
	snap_bytes = NULL;
}

#define SAME_ARRAY(a, b, n)                                                            \
	do {                                                                           \
		size_t bytes_ = (size_t)(n) * sizeof *(a);                              \
		ck_assert_msg(bytes_ == 0 || !memcmp((a), (b), bytes_), "%s differs", #a); \
	} while (0)

static void same_grid(const struct grid *a, const struct grid *b)
{
	ck_assert_int_eq(a->min_lon_e7, b->min_lon_e7);
	ck_assert_int_eq(a->min_lat_e7, b->min_lat_e7);
	ck_assert_int_eq(a->cell_lon_e7, b->cell_lon_e7);
	ck_assert_int_eq(a->cell_lat_e7, b->cell_lat_e7);
	ck_assert_uint_eq(a->cols, b->cols);
	ck_assert_uint_eq(a->rows, b->rows);
	ck_assert_uint_eq(a->item_count, b->item_count);
	SAME_ARRAY(a->cell_first, b->cell_first, (size_t)a->cols * a->rows + 1);
	SAME_ARRAY(a->cell_items, b->cell_items, a->item_count);
}

/* Everything a server answers from is equal. */
static void same_dataset(const struct dataset *a, const struct dataset *b)
{
	ck_assert_str_eq(a->name, b->name);
	ck_assert_str_eq(a->timezone, b->timezone);
	ck_assert_str_eq(a->source, b->source);
	ck_assert(a->demo == b->demo);
	ck_assert(a->max_snap_m == b->max_snap_m);
	ck_assert_uint_eq(a->version, b->version);
	ck_assert_uint_eq(a->road_ways, b->road_ways);
	ck_assert(a->build_ms == b->build_ms);
	ck_assert(!memcmp(a->report.count, b->report.count, sizeof a->report.count));

	const struct network *n = &a->net, *m = &b->net;
	ck_assert_uint_eq(n->node_count, m->node_count);
	ck_assert_uint_eq(n->seg_count, m->seg_count);
	ck_assert_uint_eq(n->pt_count, m->pt_count);
	ck_assert_uint_eq(n->names_len, m->names_len);
	SAME_ARRAY(n->node_lon_e7, m->node_lon_e7, n->node_count);
	SAME_ARRAY(n->node_lat_e7, m->node_lat_e7, n->node_count);
	SAME_ARRAY(n->seg_from, m->seg_from, n->seg_count);
	SAME_ARRAY(n->seg_to, m->seg_to, n->seg_count);
	SAME_ARRAY(n->seg_pt_first, m->seg_pt_first, n->seg_count + 1);
	SAME_ARRAY(n->pt_lon_e7, m->pt_lon_e7, n->pt_count);
	SAME_ARRAY(n->pt_lat_e7, m->pt_lat_e7, n->pt_count);
	SAME_ARRAY(n->seg_length_m, m->seg_length_m, n->seg_count);
	SAME_ARRAY(n->seg_class, m->seg_class, n->seg_count);
	SAME_ARRAY(n->seg_name, m->seg_name, n->seg_count);
	SAME_ARRAY(n->names, m->names, n->names_len);

	for (int k = 0; k < MODE_COUNT; k++) {
		const struct graph *g = &a->graph[k], *h = &b->graph[k];
		ck_assert_int_eq(g->mode, h->mode);
		ck_assert_uint_eq(g->node_count, h->node_count);
		ck_assert_uint_eq(g->arc_count, h->arc_count);
		ck_assert_uint_eq(g->kept_nodes, h->kept_nodes);
		ck_assert_uint_eq(g->kept_vertices, h->kept_vertices);
		ck_assert_uint_eq(g->kept_segs, h->kept_segs);
		SAME_ARRAY(g->first_out, h->first_out, g->node_count + 1);
		SAME_ARRAY(g->head, h->head, g->arc_count);
		SAME_ARRAY(g->time_ms, h->time_ms, g->arc_count);
		SAME_ARRAY(g->arc_seg, h->arc_seg, g->arc_count);
		SAME_ARRAY(g->first_in, h->first_in, g->node_count + 1);
		SAME_ARRAY(g->tail, h->tail, g->arc_count);
		SAME_ARRAY(g->in_time_ms, h->in_time_ms, g->arc_count);
		SAME_ARRAY(g->in_arc_seg, h->in_arc_seg, g->arc_count);
		SAME_ARRAY(g->seg_dirs, h->seg_dirs, n->seg_count);
		SAME_ARRAY(g->seg_time_ms, h->seg_time_ms, n->seg_count);
	}
	same_grid(&a->piece_grid, &b->piece_grid);
	same_grid(&a->station_grid, &b->station_grid);

	ck_assert_uint_eq(a->station_count, b->station_count);
	ck_assert_uint_eq(a->station_strings_len, b->station_strings_len);
	SAME_ARRAY(a->stations, b->stations, a->station_count);
	SAME_ARRAY(a->station_strings, b->station_strings, a->station_strings_len);

	const struct communityset *c = &a->comm, *d = &b->comm;
	ck_assert_uint_eq(c->count, d->count);
	ck_assert_uint_eq(c->ring_count, d->ring_count);
	ck_assert_uint_eq(c->pt_count, d->pt_count);
	ck_assert_uint_eq(c->strings.len, d->strings.len);
	SAME_ARRAY(c->items, d->items, c->count);
	SAME_ARRAY(c->ring_pt_first, d->ring_pt_first, c->ring_count + 1);
	SAME_ARRAY(c->ring_flags, d->ring_flags, c->ring_count);
	SAME_ARRAY(c->pt_lon_e7, d->pt_lon_e7, c->pt_count);
	SAME_ARRAY(c->pt_lat_e7, d->pt_lat_e7, c->pt_count);
	SAME_ARRAY(c->strings.data, d->strings.data, c->strings.len);
}

START_TEST(test_dataset_round_trip)
{
	ck_assert_ptr_nonnull(built);
	/* what the bundled data set holds (SOURCES.md) */
	ck_assert_uint_eq(built->station_count, 80);
	ck_assert_uint_eq(built->comm.count, 10);
	ck_assert(built->demo);
	ck_assert(!built->from_snapshot);
	for (int m = 0; m < MODE_COUNT; m++)
		ck_assert_uint_gt(built->graph[m].arc_count, 0);

	char path[400];
	snprintf(path, sizeof path, "%s/shanghai.snap", ds_tmpdir);
	struct dataset *d = NULL;
	struct yz_errbuf eb = {""};
	ck_assert_msg(dataset_open_snapshot(path, &d, &eb) == YZ_OK, "%s", eb.msg);
	ck_assert(d->from_snapshot);
	same_dataset(built, d);
	/* arrays are used in place: 64-aligned */
	ck_assert_uint_eq((uintptr_t)d->graph[MODE_CAR].head % 64, 0);
	ck_assert_uint_eq((uintptr_t)d->net.pt_lon_e7 % 64, 0);
	ck_assert_uint_eq((uintptr_t)d->stations % 64, 0);
	dataset_free(d);

	ck_assert_int_eq(dataset_from_bytes(snap_bytes, snap_len, &d, &eb), YZ_OK);
	same_dataset(built, d);

	/* a loaded dataset saves to the same bytes */
	snprintf(path, sizeof path, "%s/again.snap", ds_tmpdir);
	ck_assert_int_eq(dataset_save(d, path, &eb), YZ_OK);
	dataset_free(d);
	size_t len;
	unsigned char *again = read_file(path, &len);
	ck_assert_uint_eq(len, snap_len);
	ck_assert(!memcmp(again, snap_bytes, len));
	free(again);
}
END_TEST

START_TEST(test_dataset_errors)
{
	struct dataset *d = (struct dataset *)1;
	struct yz_errbuf eb = {""};
	char path[400];
	snprintf(path, sizeof path, "%s/none.snap", ds_tmpdir);
	ck_assert_int_eq(dataset_open_snapshot(path, &d, &eb), YZ_EIO);
	ck_assert_ptr_null(d);
	ck_assert_msg(strstr(eb.msg, "none.snap") != NULL, "message \"%s\"", eb.msg);

	/* a well-formed snapshot file with no dataset inside */
	snprintf(path, sizeof path, "%s/plain.snap", ds_tmpdir);
	struct snap_section s = {1, "hello", 5};
	ck_assert_int_eq(snap_write(path, &s, 1, &eb), YZ_OK);
	ck_assert_int_eq(dataset_open_snapshot(path, &d, &eb), YZ_EFORMAT);
	ck_assert_ptr_null(d);
	ck_assert_int_eq(snap_write(path, NULL, 0, &eb), YZ_OK);
	ck_assert_int_eq(dataset_open_snapshot(path, &d, &eb), YZ_EFORMAT);

	ck_assert_int_ne(dataset_from_bytes("", 0, &d, &eb), YZ_OK);
	ck_assert_ptr_null(d);
	dataset_free(NULL);
}
END_TEST

START_TEST(test_dataset_truncated)
{
	struct dataset *d;
	struct yz_errbuf eb;
	size_t step = snap_len / 300 + 1;
	for (size_t n = 0; n < snap_len; n += n < 4 * HDR ? 1 : step) {
		eb.msg[0] = '\0';
		enum yz_err err = dataset_from_bytes(snap_bytes, n, &d, &eb);
		ck_assert_msg(err != YZ_OK, "truncated to %zu accepted", n);
		ck_assert_ptr_null(d);
		ck_assert(eb.msg[0] != '\0');
	}
	ck_assert_int_ne(dataset_from_bytes(snap_bytes, snap_len - 1, &d, &eb), YZ_OK);
}
END_TEST

/* Bit flips at a few hundred places: refused, or (padding) the same dataset. */
START_TEST(test_dataset_flips)
{
	unsigned char *copy = malloc(snap_len);
	ck_assert_ptr_nonnull(copy);
	unsigned seed = 12345, accepted = 0;
	for (int i = 0; i < 400; i++) {
		seed = seed * 1103515245u + 12345u;
		size_t pos = i < 200 ? (size_t)i * 7 % snap_len : (seed >> 4) % snap_len;
		memcpy(copy, snap_bytes, snap_len);
		copy[pos] ^= (unsigned char)(1u << (i % 8));
		struct dataset *d;
		struct yz_errbuf eb = {""};
		enum yz_err err = dataset_from_bytes(copy, snap_len, &d, &eb);
		if (err == YZ_OK) {
			same_dataset(built, d);
			dataset_free(d);
			accepted++;
		} else {
			ck_assert_ptr_null(d);
			ck_assert(err == YZ_EFORMAT || err == YZ_ECHECKSUM || err == YZ_EVERSION);
		}
	}
	ck_assert_uint_lt(accepted, 100);
	free(copy);
}
END_TEST

/* Index of the section whose bytes are exactly `p[0..n)`, or -1. */
static int find_section(const unsigned char *b, const void *p, size_t n)
{
	uint32_t count = rd32(b + OFF_COUNT);
	int found = -1;
	for (uint32_t i = 0; i < count; i++) {
		const unsigned char *e = b + HDR + (size_t)i * ENTRY;
		if (rd64(e + 16) == n && !memcmp(b + rd64(e + 8), p, n)) {
			ck_assert_msg(found < 0, "two sections look alike");
			found = (int)i;
		}
	}
	return found;
}

static unsigned char *section_bytes(unsigned char *b, int i)
{
	return b + rd64(b + HDR + (size_t)i * ENTRY + 8);
}

/* Hostile contents with valid checksums: the validators must refuse them. */
START_TEST(test_dataset_hostile)
{
	const struct dataset *a = built;
	const struct graph *car = &a->graph[MODE_CAR];
	struct {
		const char *what;
		const void *arr;
		size_t bytes;
		size_t elem_off; /* byte offset of the patched value */
		uint32_t value;
	} cases[] = {
		{"head out of range", car->head, car->arc_count * 4u, 0, a->net.node_count},
		{"tail out of range", car->tail, car->arc_count * 4u, 4, UINT32_MAX},
		{"first_out not monotone", car->first_out, (car->node_count + 1) * 4u, 4,
		 car->arc_count + 1},
		{"first_in end", car->first_in, (car->node_count + 1) * 4u,
		 car->node_count * 4u, car->arc_count - 1},
		{"arc segment out of range", car->arc_seg, car->arc_count * 4u, 0,
		 a->net.seg_count << 1},
		{"seg_from out of range", a->net.seg_from, a->net.seg_count * 4u, 8,
		 a->net.node_count},
		{"seg_pt_first", a->net.seg_pt_first, (a->net.seg_count + 1) * 4u, 4, 1},
		{"seg_name", a->net.seg_name, a->net.seg_count * 4u, 0, a->net.names_len},
		{"seg_length NaN", a->net.seg_length_m, a->net.seg_count * 4u, 0, 0x7FC00000u},
		{"seg_length negative", a->net.seg_length_m, a->net.seg_count * 4u, 0, 0xBF800000u},
		{"station name", a->stations, a->station_count * sizeof *a->stations,
		 offsetof(struct station, name), a->station_strings_len},
		{"station id", a->stations, a->station_count * sizeof *a->stations,
		 sizeof *a->stations + offsetof(struct station, id), UINT32_MAX},
		{"community ring_first", a->comm.items, a->comm.count * sizeof *a->comm.items,
		 offsetof(struct community, ring_first), a->comm.ring_count + 1},
		{"community ring_count", a->comm.items, a->comm.count * sizeof *a->comm.items,
		 offsetof(struct community, ring_count), UINT32_MAX},
		{"community name", a->comm.items, a->comm.count * sizeof *a->comm.items,
		 offsetof(struct community, name), (uint32_t)a->comm.strings.len},
		{"ring_pt_first", a->comm.ring_pt_first, (a->comm.ring_count + 1) * 4u, 4, 2},
		{"piece grid item", a->piece_grid.cell_items, a->piece_grid.item_count * 4u, 0,
		 a->net.pt_count},
		/* a piece is p and p + 1 of one segment: a segment's last point is none */
		{"piece at the last point", a->piece_grid.cell_items, a->piece_grid.item_count * 4u,
		 0, a->net.pt_count - 1},
		{"piece at a segment's end", a->piece_grid.cell_items, a->piece_grid.item_count * 4u,
		 4, a->net.seg_pt_first[1] - 1},
		{"piece grid first", a->piece_grid.cell_first,
		 ((size_t)a->piece_grid.cols * a->piece_grid.rows + 1) * 4u, 0, 1},
		{"station grid item", a->station_grid.cell_items, a->station_grid.item_count * 4u, 0,
		 a->station_count},
	};
	unsigned char *copy = malloc(snap_len);
	ck_assert_ptr_nonnull(copy);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		memcpy(copy, snap_bytes, snap_len);
		int sec = find_section(copy, cases[i].arr, cases[i].bytes);
		ck_assert_msg(sec >= 0, "%s: section not found", cases[i].what);
		wr32(section_bytes(copy, sec) + cases[i].elem_off, cases[i].value);
		fix_section_crc(copy, (uint32_t)sec);
		struct dataset *d;
		struct yz_errbuf eb = {""};
		enum yz_err err = dataset_from_bytes(copy, snap_len, &d, &eb);
		ck_assert_msg(err == YZ_EFORMAT, "%s: %s (%s)", cases[i].what, yz_strerror(err),
			      eb.msg);
		ck_assert_ptr_null(d);
	}
	/* string pools must end in NUL */
	const struct {
		const char *what;
		const char *s;
		size_t n;
	} pools[] = {
		{"road names", a->net.names, a->net.names_len},
		{"station strings", a->station_strings, a->station_strings_len},
		{"community strings", a->comm.strings.data, a->comm.strings.len},
	};
	for (size_t i = 0; i < sizeof pools / sizeof *pools; i++) {
		memcpy(copy, snap_bytes, snap_len);
		int sec = find_section(copy, pools[i].s, pools[i].n);
		ck_assert_msg(sec >= 0, "%s: section not found", pools[i].what);
		section_bytes(copy, sec)[pools[i].n - 1] = 'x';
		fix_section_crc(copy, (uint32_t)sec);
		struct dataset *d;
		struct yz_errbuf eb = {""};
		ck_assert_msg(dataset_from_bytes(copy, snap_len, &d, &eb) == YZ_EFORMAT, "%s",
			      pools[i].what);
	}
	free(copy);
}
END_TEST

/* Every section one byte short (table and CRCs fixed): its size no longer
 * matches the counts, so the load is refused whichever array it is. */
START_TEST(test_dataset_section_sizes)
{
	uint32_t count = rd32(snap_bytes + OFF_COUNT);
	ck_assert_uint_gt(count, 40);
	unsigned char *copy = malloc(snap_len);
	ck_assert_ptr_nonnull(copy);
	unsigned tried = 0;
	for (uint32_t i = 0; i < count; i++) {
		memcpy(copy, snap_bytes, snap_len);
		unsigned char *e = copy + HDR + (size_t)i * ENTRY;
		uint64_t size = rd64(e + 16);
		if (size == 0)
			continue;
		wr64(e + 16, size - 1);
		fix_section_crc(copy, i);
		struct dataset *d;
		struct yz_errbuf eb = {""};
		enum yz_err err = dataset_from_bytes(copy, snap_len, &d, &eb);
		ck_assert_msg(err == YZ_EFORMAT, "section %u (id %u) one byte short: %s",
			      i, rd32(e), yz_strerror(err));
		tried++;
		/* and a section renamed away: missing */
		memcpy(copy, snap_bytes, snap_len);
		wr32(e, 0xDEAD0000u + i);
		fix_crcs(copy);
		err = dataset_from_bytes(copy, snap_len, &d, &eb);
		ck_assert_msg(err == YZ_EFORMAT, "section %u (id %u) missing: %s", i,
			      rd32(snap_bytes + HDR + (size_t)i * ENTRY), yz_strerror(err));
	}
	ck_assert_uint_gt(tried, 40);
	free(copy);
}
END_TEST

/* Arbitrary bytes in any one section (checksums fixed): no crash; what is
 * accepted passes the validators. */
START_TEST(test_dataset_garbage_sections)
{
	uint32_t count = rd32(snap_bytes + OFF_COUNT);
	unsigned char *copy = malloc(snap_len);
	ck_assert_ptr_nonnull(copy);
	static const int fills[] = {0x00, 0xFF, 0x7F, -1};
	unsigned seed = 99;
	for (uint32_t i = 0; i < count; i++) {
		for (size_t f = 0; f < sizeof fills / sizeof *fills; f++) {
			memcpy(copy, snap_bytes, snap_len);
			unsigned char *e = copy + HDR + (size_t)i * ENTRY;
			unsigned char *p = copy + rd64(e + 8);
			uint64_t size = rd64(e + 16);
			for (uint64_t k = 0; k < size; k++) {
				seed = seed * 1103515245u + 12345u;
				p[k] = fills[f] >= 0 ? (unsigned char)fills[f] : (unsigned char)(seed >> 16);
			}
			fix_section_crc(copy, i);
			struct dataset *d;
			struct yz_errbuf eb = {""};
			if (dataset_from_bytes(copy, snap_len, &d, &eb) == YZ_OK) {
				ck_assert_int_eq(network_validate(&d->net), 0);
				for (int m = 0; m < MODE_COUNT; m++)
					ck_assert_int_eq(graph_validate(&d->graph[m], &d->net), 0);
				dataset_free(d);
			}
		}
	}
	free(copy);
}
END_TEST

Suite *snapshot_suite(void)
{
	Suite *s = suite_create("snapshot");
	TCase *tc = tcase_create("file");
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_no_sections);
	tcase_add_test(tc, test_write_errors);
	tcase_add_test(tc, test_missing_and_empty);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_bit_flips);
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_hostile_header_and_table);
	suite_add_tcase(s, tc);

	tc = tcase_create("dataset");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, dataset_setup, dataset_teardown);
	tcase_add_test(tc, test_dataset_round_trip);
	tcase_add_test(tc, test_dataset_errors);
	tcase_add_test(tc, test_dataset_truncated);
	tcase_add_test(tc, test_dataset_flips);
	tcase_add_test(tc, test_dataset_hostile);
	tcase_add_test(tc, test_dataset_section_sizes);
	tcase_add_test(tc, test_dataset_garbage_sections);
	suite_add_tcase(s, tc);
	return s;
}

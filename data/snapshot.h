/* snapshot.h — one versioned, checksummed file of named sections.
 *
 * Layout (all integers in the writing machine's byte order, which the header
 * records; a file from a machine of the other order is refused):
 *
 *   header   64 bytes: magic "YZSNAP\r\n", version, byte-order mark,
 *            section count, file size, CRC-32 of the section table, CRC-32
 *            of the header itself
 *   table    section_count × {id u32, crc32 u32, offset u64, size u64}
 *   sections each aligned to 64 bytes, so arrays can be used in place
 *
 * The reader loads the file into one aligned block, checks the header, the table, every
 * section's bounds and CRC before anything uses it.  What the sections mean is
 * the caller's business (server/dataset.c); it must still validate the
 * contents (ids in range …) since a CRC does not stop a hostile file. */
#ifndef YZ_SNAPSHOT_H
#define YZ_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define SNAP_VERSION 2u /* 2: base-map features */

struct snap_section {
	uint32_t id;
	const void *data;
	uint64_t size;
};

/* Write `n` sections to `path` atomically (a temporary file renamed over
 * it).  Fails with YZ_EIO naming the path and the system's reason. */
enum yz_err snap_write(const char *path, const struct snap_section *secs, size_t n,
		       struct yz_errbuf *eb);

struct snapshot {
	const unsigned char *base;  /* the loaded (or borrowed) bytes, 64-aligned */
	size_t size;
	int mapped;                 /* base is owned (allocated by snap_open) */
	uint32_t count;
	const unsigned char *table;
};

/* Load `path` and verify it.  Errors: YZ_EIO (cannot open/read), YZ_EFORMAT
 * (not a snapshot, truncated, bad bounds), YZ_EVERSION, YZ_ECHECKSUM; each
 * with a message naming the file and what is wrong. */
enum yz_err snap_open(struct snapshot *s, const char *path, struct yz_errbuf *eb);

/* Verify `size` bytes at `base` already in memory (borrowed; used by the
 * fuzz target and tests).  Same errors as snap_open. */
enum yz_err snap_open_mem(struct snapshot *s, const void *base, size_t size,
			  struct yz_errbuf *eb);

/* Section `id`: pointer into the loaded bytes (valid until snap_close) and its
 * size, or NULL when absent. */
const void *snap_get(const struct snapshot *s, uint32_t id, uint64_t *size);

void snap_close(struct snapshot *s);

/* Recompute every CRC of the snapshot bytes in place (sections whose bounds
 * are valid, the table, the header; the file size becomes `size`).  For the fuzz target and tests only: it
 * lets mutated contents past the checksums so the structural validators are
 * what gets exercised.  Does nothing when the header is unreadable. */
void snap_fix_checksums(void *bytes, size_t size);

#endif

/* snapshot.c — writing and verifying snapshot files; see snapshot.h.
 *
 * The file is read into one aligned block (see snap_open for why not mmap).
 * CRC-32 is zlib's (fast, and already linked for gzip).  A start-up maps the
 * file and reads each byte once for its CRC: tens of MB take tens of ms. */
#include "snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define SNAP_MAGIC "YZSNAP\r\n"
#define SNAP_BOM 0x01020304u
#define SNAP_BOM_SWAPPED 0x04030201u /* SNAP_BOM as the other byte order writes it */
#define SNAP_ALIGN 64
#define HEADER_SIZE 64
#define ENTRY_SIZE 24
#define MAX_SECTIONS 4096

struct snap_header {
	char magic[8];
	uint32_t version;
	uint32_t bom;
	uint32_t count;
	uint32_t table_crc;
	uint64_t file_size;
	uint32_t header_crc; /* over the bytes before this field */
	uint8_t pad[HEADER_SIZE - 36];
};

struct snap_entry {
	uint32_t id;
	uint32_t crc;
	uint64_t offset;
	uint64_t size;
};

_Static_assert(sizeof(struct snap_header) == HEADER_SIZE, "header layout");
_Static_assert(sizeof(struct snap_entry) == ENTRY_SIZE, "entry layout");

static uint32_t crc(const void *p, uint64_t n)
{
	uLong c = crc32(0L, Z_NULL, 0);
	const unsigned char *b = p;
	while (n) {
		uInt chunk = n > (1u << 30) ? (1u << 30) : (uInt)n;
		c = crc32(c, b, chunk);
		b += chunk;
		n -= chunk;
	}
	return (uint32_t)c;
}

static uint64_t align_up(uint64_t x)
{
	return (x + SNAP_ALIGN - 1) & ~(uint64_t)(SNAP_ALIGN - 1);
}

static int write_all(int fd, const void *p, uint64_t n)
{
	const char *b = p;
	while (n) {
		ssize_t w = write(fd, b, n > (1u << 30) ? (1u << 30) : (size_t)n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (uint64_t)w;
	}
	return 0;
}

enum yz_err snap_write(const char *path, const struct snap_section *secs, size_t n,
		       struct yz_errbuf *eb)
{
	if (n > MAX_SECTIONS)
		return yz_fail(eb, YZ_ELIMIT, "%s: too many sections", path);
	struct snap_entry *tab = calloc(n ? n : 1, sizeof *tab);
	if (!tab)
		return yz_fail(eb, YZ_ENOMEM, "%s: out of memory", path);
	uint64_t off = align_up(HEADER_SIZE + (uint64_t)n * ENTRY_SIZE);
	for (size_t i = 0; i < n; i++) {
		tab[i].id = secs[i].id;
		tab[i].size = secs[i].size;
		tab[i].offset = off;
		tab[i].crc = crc(secs[i].data, secs[i].size);
		off = align_up(off + secs[i].size);
	}
	struct snap_header h;
	memset(&h, 0, sizeof h);
	memcpy(h.magic, SNAP_MAGIC, 8);
	h.version = SNAP_VERSION;
	h.bom = SNAP_BOM;
	h.count = (uint32_t)n;
	h.table_crc = crc(tab, (uint64_t)n * ENTRY_SIZE);
	h.file_size = off;
	h.header_crc = crc(&h, offsetof(struct snap_header, header_crc));

	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp) {
		free(tab);
		return yz_fail(eb, YZ_EIO, "%s: path too long", path);
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		free(tab);
		return yz_fail(eb, YZ_EIO, "%s: %s", tmp, strerror(errno));
	}
	static const char zeros[SNAP_ALIGN];
	int bad = write_all(fd, &h, sizeof h) || write_all(fd, tab, (uint64_t)n * ENTRY_SIZE);
	uint64_t pos = HEADER_SIZE + (uint64_t)n * ENTRY_SIZE;
	for (size_t i = 0; i < n && !bad; i++) {
		bad = write_all(fd, zeros, tab[i].offset - pos) ||
		      write_all(fd, secs[i].data, secs[i].size);
		pos = tab[i].offset + secs[i].size;
	}
	if (!bad)
		bad = write_all(fd, zeros, off - pos);
	int saved = errno;
	free(tab);
	if (close(fd) != 0 && !bad) {
		bad = 1;
		saved = errno;
	}
	if (bad || rename(tmp, path) != 0) {
		if (!bad)
			saved = errno;
		unlink(tmp);
		return yz_fail(eb, YZ_EIO, "%s: cannot write: %s", path, strerror(saved));
	}
	return YZ_OK;
}

enum yz_err snap_open_mem(struct snapshot *s, const void *base, size_t size,
			  struct yz_errbuf *eb)
{
	memset(s, 0, sizeof *s);
	struct snap_header h;
	if (size < HEADER_SIZE)
		return yz_fail(eb, YZ_EFORMAT, "not a yizhan snapshot (file too short: %zu bytes)",
			       size);
	memcpy(&h, base, sizeof h);
	if (memcmp(h.magic, SNAP_MAGIC, 8))
		return yz_fail(eb, YZ_EFORMAT, "not a yizhan snapshot (bad magic)");
	if (h.bom == SNAP_BOM_SWAPPED)
		return yz_fail(eb, YZ_EVERSION, "snapshot written on a machine of other byte order");
	if (h.bom != SNAP_BOM)
		return yz_fail(eb, YZ_EFORMAT, "not a yizhan snapshot (bad byte-order mark)");
	if (h.header_crc != crc(&h, offsetof(struct snap_header, header_crc)))
		return yz_fail(eb, YZ_ECHECKSUM, "snapshot header is corrupt (checksum mismatch)");
	if (h.version != SNAP_VERSION)
		return yz_fail(eb, YZ_EVERSION,
			       "snapshot version %u, this program reads version %u: rebuild it "
			       "with `yizhan build`", h.version, SNAP_VERSION);
	if (h.file_size != size)
		return yz_fail(eb, YZ_EFORMAT,
			       "snapshot is truncated or padded (%zu bytes, header says %llu)",
			       size, (unsigned long long)h.file_size);
	if (h.count > MAX_SECTIONS || HEADER_SIZE + (uint64_t)h.count * ENTRY_SIZE > size)
		return yz_fail(eb, YZ_EFORMAT, "snapshot section table out of bounds");
	const unsigned char *tab = (const unsigned char *)base + HEADER_SIZE;
	if (crc(tab, (uint64_t)h.count * ENTRY_SIZE) != h.table_crc)
		return yz_fail(eb, YZ_ECHECKSUM, "snapshot section table is corrupt");
	for (uint32_t i = 0; i < h.count; i++) {
		struct snap_entry e;
		memcpy(&e, tab + (size_t)i * ENTRY_SIZE, sizeof e);
		if (e.offset % SNAP_ALIGN || e.offset > size || e.size > size - e.offset)
			return yz_fail(eb, YZ_EFORMAT, "snapshot section %u out of bounds", e.id);
		if (crc((const unsigned char *)base + e.offset, e.size) != e.crc)
			return yz_fail(eb, YZ_ECHECKSUM,
				       "snapshot section %u is corrupt (checksum mismatch)", e.id);
	}
	s->base = base;
	s->size = size;
	s->count = h.count;
	s->table = tab;
	return YZ_OK;
}

enum yz_err snap_open(struct snapshot *s, const char *path, struct yz_errbuf *eb)
{
	memset(s, 0, sizeof *s);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return yz_fail(eb, YZ_EIO, "%s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return yz_fail(eb, YZ_EIO, "%s: not a regular file", path);
	}
	size_t size = (size_t)st.st_size;
	if (size < HEADER_SIZE) {
		close(fd);
		return yz_fail(eb, YZ_EFORMAT, "%s: not a yizhan snapshot (file too short)", path);
	}
	/* Read, not mmap: a file truncated or rewritten under a running server
	 * must not turn into SIGBUS (issue: reload without loss).  Reading a
	 * city's snapshot costs a few ms from the page cache. */
	void *m = NULL;
	if (posix_memalign(&m, SNAP_ALIGN, size) != 0) {
		close(fd);
		return yz_fail(eb, YZ_ENOMEM, "%s: out of memory (%zu bytes)", path, size);
	}
	size_t got = 0;
	while (got < size) {
		ssize_t r = read(fd, (char *)m + got, size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got != size) {
		free(m);
		return yz_fail(eb, YZ_EIO, "%s: short read (file changed while reading?)", path);
	}
	char detail[YZ_ERRBUF_SIZE] = "";
	struct yz_errbuf local;
	enum yz_err err = snap_open_mem(s, m, size, &local);
	if (err) {
		snprintf(detail, sizeof detail, "%s", local.msg);
		free(m);
		return yz_fail(eb, err, "%s: %s", path, detail);
	}
	s->mapped = 1;
	return YZ_OK;
}

const void *snap_get(const struct snapshot *s, uint32_t id, uint64_t *size)
{
	for (uint32_t i = 0; i < s->count; i++) {
		struct snap_entry e;
		memcpy(&e, s->table + (size_t)i * ENTRY_SIZE, sizeof e);
		if (e.id == id) {
			if (size)
				*size = e.size;
			return s->base + e.offset;
		}
	}
	if (size)
		*size = 0;
	return NULL;
}

void snap_close(struct snapshot *s)
{
	if (s->mapped)
		free((void *)s->base);
	memset(s, 0, sizeof *s);
}

void snap_fix_checksums(void *bytes, size_t size)
{
	struct snap_header h;
	if (size < HEADER_SIZE)
		return;
	memcpy(&h, bytes, sizeof h);
	if (h.count > MAX_SECTIONS || HEADER_SIZE + (uint64_t)h.count * ENTRY_SIZE > size)
		return;
	unsigned char *tab = (unsigned char *)bytes + HEADER_SIZE;
	for (uint32_t i = 0; i < h.count; i++) {
		struct snap_entry e;
		memcpy(&e, tab + (size_t)i * ENTRY_SIZE, sizeof e);
		if (e.offset > size || e.size > size - e.offset)
			continue;
		e.crc = crc((unsigned char *)bytes + e.offset, e.size);
		memcpy(tab + (size_t)i * ENTRY_SIZE, &e, sizeof e);
	}
	h.table_crc = crc(tab, (uint64_t)h.count * ENTRY_SIZE);
	h.file_size = size;
	h.header_crc = crc(&h, offsetof(struct snap_header, header_crc));
	memcpy(bytes, &h, sizeof h);
}

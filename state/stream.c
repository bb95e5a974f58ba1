/* The stream's sections: writing them with their checksums, reading them
 * back and refusing anything truncated, damaged or of another version. */
#include "state/stream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <xxhash.h>
#include <zstd.h>

#define HEADER_SIZE 16
#define SECTION_HEADER_SIZE 32
/* The section header's bytes before its checksum. */
#define SECTION_CHECKED 24
/* Bytes of a page section before its page numbers: count and encoding. */
#define PAGES_PREFIX 8

static void le32_put(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void le64_put(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t le32_get(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64_get(const uint8_t *p)
{
	return le32_get(p) | (uint64_t)le32_get(p + 4) << 32;
}

void state_id_name(uint32_t id, char out[5])
{
	for (int i = 0; i < 4; i++) {
		char c = (char)(id >> (8 * i));
		out[i] = c >= 0x20 && c < 0x7f ? c : '?';
	}
	out[4] = 0;
}

/* Writes all of iov, retrying short writes. */
static void write_all(struct state_writer *w, struct iovec *iov, int n)
{
	while (!w->error && n > 0) {
		ssize_t done = writev(w->fd, iov, n > IOV_MAX ? IOV_MAX : n);
		if (done < 0) {
			if (errno != EINTR)
				w->error = -errno;
			continue;
		}
		w->offset += (uint64_t)done;
		while (n > 0 && (size_t)done >= iov->iov_len) {
			done -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + done;
			iov->iov_len -= (size_t)done;
		}
	}
}

void state_writer_init(struct state_writer *w, int fd, uint32_t flags)
{
	uint8_t h[HEADER_SIZE];

	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->file = flags & STATE_F_FILE;
	memcpy(h, STATE_MAGIC, 8);
	le32_put(h + 8, STATE_FORMAT_VERSION);
	le32_put(h + 12, flags);
	write_all(w, &(struct iovec){ h, sizeof(h) }, 1);
}

void state_writer_destroy(struct state_writer *w)
{
	free(w->buf);
	free(w->zbuf);
	w->buf = w->zbuf = NULL;
}

int state_writer_status(const struct state_writer *w)
{
	return w->error;
}

/* Writes a section header for a payload made of the given pieces, then the
 * pieces; the checksum covers the payload. */
static void write_section(struct state_writer *w, uint32_t id, uint32_t instance, uint32_t version,
			  uint32_t flags, struct iovec *iov, int n)
{
	uint8_t h[SECTION_HEADER_SIZE];
	XXH3_state_t *xs = XXH3_createState();
	uint64_t len = 0;

	if (!xs) {
		if (!w->error)
			w->error = -ENOMEM;
		return;
	}
	for (int i = 1; i < n; i++)
		len += iov[i].iov_len;
	le32_put(h, id);
	le32_put(h + 4, instance);
	le32_put(h + 8, version);
	le32_put(h + 12, flags);
	le64_put(h + 16, len);
	/* The checksum covers the header's other fields too. */
	XXH3_64bits_reset(xs);
	XXH3_64bits_update(xs, h, SECTION_CHECKED);
	for (int i = 1; i < n; i++)
		XXH3_64bits_update(xs, iov[i].iov_base, iov[i].iov_len);
	le64_put(h + 24, XXH3_64bits_digest(xs));
	XXH3_freeState(xs);
	iov[0] = (struct iovec){ h, sizeof(h) };
	write_all(w, iov, n);
}

void state_begin(struct state_writer *w, uint32_t id, uint32_t instance, uint32_t version)
{
	w->id = id;
	w->instance = instance;
	w->version = version;
	w->len = 0;
}

void state_put(struct state_writer *w, const void *p, size_t n)
{
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 4096;
		while (cap < w->len + n)
			cap *= 2;
		uint8_t *buf = realloc(w->buf, cap);
		if (!buf) {
			if (!w->error)
				w->error = -ENOMEM;
			return;
		}
		w->buf = buf;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

void state_put_u32(struct state_writer *w, uint32_t v)
{
	uint8_t b[4];
	le32_put(b, v);
	state_put(w, b, sizeof(b));
}

void state_put_u64(struct state_writer *w, uint64_t v)
{
	uint8_t b[8];
	le64_put(b, v);
	state_put(w, b, sizeof(b));
}

void state_end(struct state_writer *w)
{
	struct iovec iov[2] = { { NULL, 0 }, { w->buf, w->len } };
	write_section(w, w->id, w->instance, w->version, 0, iov, 2);
}

/* Zero bytes that put the page data of a file's page section, which starts
 * at offset `at`, on a page boundary. */
static size_t page_padding(const struct state_writer *w, uint64_t at)
{
	return w->file ? (size_t)(-at & (STATE_PAGE_SIZE - 1)) : 0;
}

static void write_compressed_pages(struct state_writer *w, uint32_t id, const uint64_t *pfns,
				   uint32_t count, const uint8_t *ram, int level, struct iovec *iov)
{
	size_t raw = (size_t)count * STATE_PAGE_SIZE;
	size_t bound = ZSTD_compressBound(raw);
	if (bound > w->zcap) {
		void *z = realloc(w->zbuf, bound);
		if (!z) {
			if (!w->error)
				w->error = -ENOMEM;
			return;
		}
		w->zbuf = z;
		w->zcap = bound;
	}
	/* zstd takes one buffer: gather the pages into the section buffer. */
	w->len = 0;
	for (uint32_t i = 0; i < count; i++)
		state_put(w, ram + pfns[i] * STATE_PAGE_SIZE, STATE_PAGE_SIZE);
	if (w->error)
		return;
	size_t z = ZSTD_compress(w->zbuf, bound, w->buf, raw, level);
	if (ZSTD_isError(z)) {
		if (!w->error)
			w->error = -EIO;
		return;
	}
	iov[3] = (struct iovec){ w->zbuf, z };
	write_section(w, id, 0, 1, STATE_SEC_ZSTD, iov, 4);
}

void state_write_pages(struct state_writer *w, uint32_t id, const uint64_t *pfns, uint32_t count,
		       const uint8_t *ram, int zstd_level)
{
	static const uint8_t zeroes[STATE_PAGE_SIZE];
	uint8_t prefix[PAGES_PREFIX];
	uint64_t le_pfns[STATE_PAGES_PER_SECTION];
	struct iovec iov[4 + STATE_PAGES_PER_SECTION];

	if (count == 0 || count > STATE_PAGES_PER_SECTION) {
		if (!w->error)
			w->error = -EINVAL;
		return;
	}
	le32_put(prefix, count);
	le32_put(prefix + 4, 0);
	for (uint32_t i = 0; i < count; i++)
		le64_put((uint8_t *)&le_pfns[i], pfns[i]);
	iov[1] = (struct iovec){ prefix, sizeof(prefix) };
	iov[2] = (struct iovec){ le_pfns, count * sizeof(uint64_t) };
	if (zstd_level > 0) {
		write_compressed_pages(w, id, pfns, count, ram, zstd_level, iov);
		return;
	}
	uint64_t data_at = w->offset + SECTION_HEADER_SIZE + sizeof(prefix) + count * sizeof(uint64_t);
	iov[3] = (struct iovec){ (void *)zeroes, page_padding(w, data_at) };
	for (uint32_t i = 0; i < count; i++)
		iov[4 + i] = (struct iovec){ (void *)(ram + pfns[i] * STATE_PAGE_SIZE), STATE_PAGE_SIZE };
	write_section(w, id, 0, 1, 0, iov, 4 + (int)count);
}

/* Reads exactly n bytes; a short read means the stream was truncated. */
static int read_all(struct state_reader *r, void *buf, size_t n, struct error *err)
{
	uint8_t *p = buf;
	while (n > 0) {
		ssize_t got = read(r->fd, p, n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return error_set(err, errno, "%s: %s", r->name, strerror(errno));
		if (got == 0)
			return error_set(err, EPROTO, "%s: truncated at byte %llu", r->name,
					 (unsigned long long)r->offset);
		p += got;
		n -= (size_t)got;
		r->offset += (uint64_t)got;
	}
	return 0;
}

int state_reader_init(struct state_reader *r, int fd, const char *name, struct error *err)
{
	uint8_t h[HEADER_SIZE];

	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->name = name;
	int ret = read_all(r, h, sizeof(h), err);
	if (ret < 0)
		return ret;
	if (memcmp(h, STATE_MAGIC, 8) != 0)
		return error_set(err, EPROTO, "%s: not a doppel snapshot or migration stream", name);
	uint32_t version = le32_get(h + 8);
	if (version != STATE_FORMAT_VERSION)
		return error_set(err, EPROTO, "%s: format version %u, this doppel reads version %u",
				 name, version, STATE_FORMAT_VERSION);
	r->flags = le32_get(h + 12);
	if (r->flags & ~STATE_F_FILE)
		return error_set(err, EPROTO, "%s: unknown stream flags %#x", name, r->flags);
	return 0;
}

int state_read_section(struct state_reader *r, struct state_section *s, struct error *err)
{
	uint8_t h[SECTION_HEADER_SIZE];
	int ret = read_all(r, h, sizeof(h), err);
	if (ret < 0)
		return ret;
	s->id = le32_get(h);
	s->instance = le32_get(h + 4);
	s->version = le32_get(h + 8);
	s->flags = le32_get(h + 12);
	s->length = le64_get(h + 16);
	s->checksum = le64_get(h + 24);
	memcpy(s->header, h, sizeof(s->header));
	return 0;
}

static int bad_checksum(const struct state_reader *r, const struct state_section *s,
			struct error *err)
{
	char name[5];
	state_id_name(s->id, name);
	return error_set(err, EBADMSG, "%s: section %s %u is damaged (checksum mismatch)", r->name,
			 name, s->instance);
}

static uint64_t section_checksum(const struct state_section *s, const void *payload, size_t len)
{
	uint8_t buf[SECTION_CHECKED + 64];
	if (len <= 64) {
		memcpy(buf, s->header, SECTION_CHECKED);
		memcpy(buf + SECTION_CHECKED, payload, len);
		return XXH3_64bits(buf, SECTION_CHECKED + len);
	}
	XXH3_state_t *xs = XXH3_createState();
	if (!xs)
		return ~s->checksum;
	XXH3_64bits_reset(xs);
	XXH3_64bits_update(xs, s->header, SECTION_CHECKED);
	XXH3_64bits_update(xs, payload, len);
	uint64_t sum = XXH3_64bits_digest(xs);
	XXH3_freeState(xs);
	return sum;
}

int state_read_payload(struct state_reader *r, const struct state_section *s, uint8_t **out,
		       struct error *err)
{
	char name[5];
	if (s->length > STATE_MAX_SECTION) {
		state_id_name(s->id, name);
		return error_set(err, EPROTO, "%s: section %s is %llu bytes, more than %u", r->name,
				 name, (unsigned long long)s->length, STATE_MAX_SECTION);
	}
	uint8_t *buf = malloc(s->length ? s->length : 1);
	if (!buf)
		return error_set(err, ENOMEM, "out of memory");
	int ret = read_all(r, buf, s->length, err);
	if (!ret && section_checksum(s, buf, s->length) != s->checksum)
		ret = bad_checksum(r, s, err);
	if (ret < 0) {
		free(buf);
		return ret;
	}
	*out = buf;
	return 0;
}

/* Maps runs of consecutive pages from the file over RAM, copy-on-write:
 * the file's page cache backs them until the guest writes one. */
static int map_pages(struct state_reader *r, const uint64_t *pfns, uint32_t count, uint8_t *ram,
		     struct error *err)
{
	uint64_t at = r->offset;
	struct stat st;
	/* Mapped pages past the end of the file would fault (SIGBUS) when
	 * touched: a truncated file must be refused here. */
	if (fstat(r->fd, &st) < 0)
		return error_set(err, errno, "%s: %s", r->name, strerror(errno));
	if ((uint64_t)st.st_size < at + (uint64_t)count * STATE_PAGE_SIZE)
		return error_set(err, EPROTO, "%s: truncated at byte %llu", r->name,
				 (unsigned long long)st.st_size);
	for (uint32_t i = 0; i < count;) {
		uint32_t run = 1;
		while (i + run < count && pfns[i + run] == pfns[i] + run)
			run++;
		void *p = mmap(ram + pfns[i] * STATE_PAGE_SIZE, (size_t)run * STATE_PAGE_SIZE,
			       PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, r->fd,
			       (off_t)(at + (uint64_t)i * STATE_PAGE_SIZE));
		if (p == MAP_FAILED)
			return error_set(err, errno, "%s: cannot map guest RAM: %s", r->name,
					 strerror(errno));
		i += run;
	}
	if (lseek(r->fd, (off_t)(at + (uint64_t)count * STATE_PAGE_SIZE), SEEK_SET) < 0)
		return error_set(err, errno, "%s: %s", r->name, strerror(errno));
	r->offset = at + (uint64_t)count * STATE_PAGE_SIZE;
	return 0;
}

static int read_compressed_pages(struct state_reader *r, uint64_t zlen, const uint64_t *pfns,
				 uint32_t count, uint8_t *ram, XXH3_state_t *xs, struct error *err)
{
	size_t raw = (size_t)count * STATE_PAGE_SIZE;
	uint8_t *z = malloc(zlen ? zlen : 1), *data = malloc(raw);
	int ret = !z || !data ? error_set(err, ENOMEM, "out of memory") : read_all(r, z, zlen, err);

	if (!ret) {
		XXH3_64bits_update(xs, z, zlen);
		size_t n = ZSTD_decompress(data, raw, z, zlen);
		if (ZSTD_isError(n) || n != raw)
			ret = error_set(err, EBADMSG, "%s: compressed pages do not decompress", r->name);
	}
	for (uint32_t i = 0; !ret && i < count; i++)
		memcpy(ram + pfns[i] * STATE_PAGE_SIZE, data + (size_t)i * STATE_PAGE_SIZE,
		       STATE_PAGE_SIZE);
	free(z);
	free(data);
	return ret;
}

int state_read_pages(struct state_reader *r, const struct state_section *s, uint8_t *ram,
		     uint64_t pages, bool map, uint64_t *npages, struct error *err)
{
	uint8_t prefix[PAGES_PREFIX];
	uint64_t pfns[STATE_PAGES_PER_SECTION];
	int ret = read_all(r, prefix, sizeof(prefix), err);
	if (ret < 0)
		return ret;
	uint32_t count = le32_get(prefix);
	uint64_t head = sizeof(prefix) + (uint64_t)count * sizeof(uint64_t);
	if (count == 0 || count > STATE_PAGES_PER_SECTION || le32_get(prefix + 4) != 0 ||
	    s->length < head || (s->flags & ~STATE_SEC_ZSTD))
		return error_set(err, EPROTO, "%s: malformed page section at byte %llu", r->name,
				 (unsigned long long)r->offset);
	ret = read_all(r, pfns, count * sizeof(uint64_t), err);
	if (ret < 0)
		return ret;
	for (uint32_t i = 0; i < count; i++) {
		pfns[i] = le64_get((const uint8_t *)&pfns[i]);
		if (pfns[i] >= pages)
			return error_set(err, EPROTO, "%s: page %llu is beyond guest RAM", r->name,
					 (unsigned long long)pfns[i]);
	}

	XXH3_state_t *xs = XXH3_createState();
	if (!xs)
		return error_set(err, ENOMEM, "out of memory");
	XXH3_64bits_reset(xs);
	XXH3_64bits_update(xs, s->header, SECTION_CHECKED);
	XXH3_64bits_update(xs, prefix, sizeof(prefix));
	for (uint32_t i = 0; i < count; i++) {
		uint8_t le[8];
		le64_put(le, pfns[i]);
		XXH3_64bits_update(xs, le, sizeof(le));
	}
	if (s->flags & STATE_SEC_ZSTD) {
		ret = read_compressed_pages(r, s->length - head, pfns, count, ram, xs, err);
	} else {
		uint64_t pad = (r->flags & STATE_F_FILE) ? (-r->offset & (STATE_PAGE_SIZE - 1)) : 0;
		uint8_t zeroes[STATE_PAGE_SIZE];
		if (s->length != head + pad + (uint64_t)count * STATE_PAGE_SIZE) {
			XXH3_freeState(xs);
			return error_set(err, EPROTO, "%s: malformed page section at byte %llu",
					 r->name, (unsigned long long)r->offset);
		}
		ret = read_all(r, zeroes, pad, err);
		XXH3_64bits_update(xs, zeroes, pad);
		if (!ret && map)
			ret = map_pages(r, pfns, count, ram, err);
		for (uint32_t i = 0; !ret && i < count; i++) {
			uint8_t *page = ram + pfns[i] * STATE_PAGE_SIZE;
			if (!map)
				ret = read_all(r, page, STATE_PAGE_SIZE, err);
			XXH3_64bits_update(xs, page, STATE_PAGE_SIZE);
		}
	}
	if (!ret && XXH3_64bits_digest(xs) != s->checksum)
		ret = bad_checksum(r, s, err);
	XXH3_freeState(xs);
	if (!ret)
		*npages = count;
	return ret;
}

void state_get(struct state_cursor *c, void *dst, size_t n)
{
	if (c->bad || n > c->len - c->off) {
		c->bad = true;
		memset(dst, 0, n);
		return;
	}
	memcpy(dst, c->p + c->off, n);
	c->off += n;
}

uint32_t state_get_u32(struct state_cursor *c)
{
	uint8_t b[4];
	state_get(c, b, sizeof(b));
	return le32_get(b);
}

uint64_t state_get_u64(struct state_cursor *c)
{
	uint8_t b[8];
	state_get(c, b, sizeof(b));
	return le64_get(b);
}

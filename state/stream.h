/* The snapshot and migration stream (docs/snapshot.md): a header naming the
 * format version, then sections, each with its own length and checksum, so a
 * reader refuses a truncated or damaged stream before using a byte of it.
 *
 * A section is an id (four characters), an instance (which hart, which
 * virtio slot), the version of that section's layout, flags, the payload's
 * length and its XXH3-64 checksum, then the payload. Integers are
 * little-endian. Guest RAM travels in page sections (state_write_pages); in
 * a file they keep their page data at page-aligned offsets, so that a
 * restore can map it copy-on-write instead of reading it. */
#ifndef DOPPEL_STATE_STREAM_H
#define DOPPEL_STATE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define STATE_MAGIC "DOPPELVM"
#define STATE_FORMAT_VERSION 1

/* Header flags. */
#define STATE_F_FILE 1u          /* page data is page-aligned in the file */

/* Section flags. */
#define STATE_SEC_ZSTD 1u        /* page data is zstd-compressed */

#define STATE_ID(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define STATE_PAGE_SIZE 4096u
/* The most pages one page section carries. */
#define STATE_PAGES_PER_SECTION 256u
/* The largest section other than page sections a reader accepts. */
#define STATE_MAX_SECTION (1u << 20)

struct state_section {
	uint32_t id, instance, version, flags;
	uint64_t length;
	uint64_t checksum;
	uint8_t header[24];      /* as read, for the checksum */
};

/* Writes to a file or socket with blocking writes; the first error sticks
 * and every later call does nothing, so callers check once, at the end. */
struct state_writer {
	int fd;
	uint64_t offset;        /* bytes written so far */
	bool file;              /* STATE_F_FILE */
	int error;              /* 0 or the first -errno */
	/* The section being built by state_begin/state_put. */
	uint32_t id, instance, version;
	uint8_t *buf;
	size_t len, cap;
	/* Scratch for compressed pages. */
	void *zbuf;
	size_t zcap;
};

void state_writer_init(struct state_writer *w, int fd, uint32_t flags);
void state_writer_destroy(struct state_writer *w);

/* A small section, built in memory: begin, put..., end. */
void state_begin(struct state_writer *w, uint32_t id, uint32_t instance, uint32_t version);
void state_put(struct state_writer *w, const void *p, size_t n);
void state_put_u32(struct state_writer *w, uint32_t v);
void state_put_u64(struct state_writer *w, uint64_t v);
void state_end(struct state_writer *w);

/* A page section: count (at most STATE_PAGES_PER_SECTION) pages, pfns[i]
 * being the page number within RAM of the page at ram + pfns[i] * 4096;
 * zstd level > 0 compresses them. */
void state_write_pages(struct state_writer *w, uint32_t id, const uint64_t *pfns, uint32_t count,
		       const uint8_t *ram, int zstd_level);

/* The writer's result: 0 or the first -errno. */
int state_writer_status(const struct state_writer *w);

struct state_reader {
	int fd;
	uint64_t offset;
	uint32_t flags;         /* the stream header's */
	const char *name;       /* for messages: the file name or peer */
};

/* Reads and checks the stream header: magic and format version. */
int state_reader_init(struct state_reader *r, int fd, const char *name, struct error *err);

/* Reads the next section's header. Its checksum covers the header, so
 * every section must be read with state_read_payload or state_read_pages,
 * even an empty one. */
int state_read_section(struct state_reader *r, struct state_section *s, struct error *err);

/* Reads a section's whole payload (at most STATE_MAX_SECTION bytes) into a
 * new buffer the caller frees, checking its checksum. */
int state_read_payload(struct state_reader *r, const struct state_section *s, uint8_t **out,
		       struct error *err);

/* Reads a page section into ram (pages of RAM), refusing page numbers
 * beyond it. With map set, the reader's fd a file and the pages stored
 * uncompressed, they are mapped copy-on-write from the file instead of
 * read. *npages is the count of pages. */
int state_read_pages(struct state_reader *r, const struct state_section *s, uint8_t *ram,
		     uint64_t pages, bool map, uint64_t *npages, struct error *err);

/* A section payload read field by field; reading past its end sets bad. */
struct state_cursor {
	const uint8_t *p;
	size_t len, off;
	bool bad;
};

void state_get(struct state_cursor *c, void *dst, size_t n);
uint32_t state_get_u32(struct state_cursor *c);
uint64_t state_get_u64(struct state_cursor *c);

/* "CONF" for an id, for messages. */
void state_id_name(uint32_t id, char out[5]);

#endif

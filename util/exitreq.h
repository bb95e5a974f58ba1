/* A request to stop the machine (power-off, reset, test exit, a quit from
 * the control socket), raised by a device or the host and seen by the run loop and the harts at their next check. */
#ifndef DOPPEL_UTIL_EXITREQ_H
#define DOPPEL_UTIL_EXITREQ_H

#include <stdatomic.h>
#include <stdbool.h>

/* EXIT_MIGRATED: the machine now runs at a migration's target. */
enum exit_kind { EXIT_NONE = 0, EXIT_POWEROFF, EXIT_RESET, EXIT_TIMEOUT, EXIT_QUIT, EXIT_MIGRATED };

struct exit_request {
	_Atomic bool pending;
	enum exit_kind kind;
	uint64_t code;
};

static inline void exit_request_raise(struct exit_request *r, enum exit_kind kind, uint64_t code)
{
	if (atomic_load(&r->pending))
		return;
	r->kind = kind;
	r->code = code;
	atomic_store(&r->pending, true);
}

#endif

/* Errors for the user: a negative errno and one line of text, filled by the
 * function that failed and printed once by the command. */
#ifndef DOPPEL_UTIL_ERROR_H
#define DOPPEL_UTIL_ERROR_H

struct error {
	int code;          /* positive errno */
	char msg[512];
};

/* Records the error and returns -code, so callers can `return error_set(...)`. */
int error_set(struct error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif

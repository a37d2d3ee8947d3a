/*
 * test_hold.c — panattn_hold: it calls the body exactly once and returns its status, refuses a
 * NULL body, and never reads the pointers it is given (they only keep the caller's memory alive
 * on the Java side; see NativeHold.java). Passing one-past-the-end and bogus pointers proves the
 * last point under AddressSanitizer (native/run-sanitizers.sh).
 */
#include <stdint.h>

#include "panattn.h"
#include "test_common.h"

static int calls;
static int32_t status_to_return;

static int32_t body(void) {
    calls++;
    return status_to_return;
}

int main(void) {
    static unsigned char small[1];
    void *past = small + 1; /* one past the end: valid to pass, never to read */
    const void *bogus = (const void *)(uintptr_t)0x10;

    calls = 0, status_to_return = PANATTN_OK;
    report(panattn_hold(NULL, NULL, NULL, NULL, NULL, NULL, body) == PANATTN_OK && calls == 1,
           "hold runs the body once and returns PANATTN_OK", "");

    calls = 0, status_to_return = PANATTN_ERR_INTERNAL;
    report(panattn_hold(past, bogus, past, (void *)bogus, past, bogus, body) == PANATTN_ERR_INTERNAL &&
               calls == 1,
           "hold passes the body's status through and reads none of its pointers", "");

    report(panattn_hold(NULL, NULL, NULL, NULL, NULL, NULL, NULL) == PANATTN_ERR_INVALID_ARGUMENT &&
               panattn_last_error()[0] != '\0',
           "hold refuses a NULL body with a message", panattn_last_error());
    return summary("test_hold");
}

// The server's account rules (linli-auth/src/user.rs), checked here too so forms answer at once.
// The server stays the judge: its field errors are shown next to the same inputs.

export const MIN_PASSWORD_LENGTH = 8
export const DISPLAY_NAME_MAX = 50
/** 3–64 ASCII letters, digits or `_ . @ -`. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.@-]{3,64}$/
/** Mainland mobile numbers: 11 digits starting with 1. */
export const PHONE_PATTERN = /^1\d{10}$/

//! `steward_fold(text)` for SQLite: the Unicode lowercase of its argument (Rust's
//! `str::to_lowercase`, as the search index and PostgreSQL's `lower()` fold). SQLite's own
//! `lower()` and `LIKE` fold ASCII letters only, so "ÜNÏCODE" would never find "Ünïcode". It is
//! registered on every connection of the pool and used where a searched value is not plain ASCII;
//! ASCII values keep using the `lower()` indexes.

use libsqlite3_sys as ffi;
use std::ffi::c_int;

pub const FUNCTION: &str = "steward_fold";
const NAME: &[u8] = b"steward_fold\0";

/// Registers the function on one connection; answers SQLite's result code.
///
/// # Safety
/// `db` must be an open connection that nothing else uses during the call.
pub unsafe fn register(db: *mut ffi::sqlite3) -> c_int {
    // SAFETY: the name is NUL-terminated and static; the callback has the signature SQLite
    // expects and keeps no state (no user data, no destructor).
    unsafe {
        ffi::sqlite3_create_function_v2(
            db,
            NAME.as_ptr().cast(),
            1,
            ffi::SQLITE_UTF8 | ffi::SQLITE_DETERMINISTIC | ffi::SQLITE_INNOCUOUS,
            std::ptr::null_mut(),
            Some(fold),
            None,
            None,
            None,
        )
    }
}

unsafe extern "C" fn fold(
    ctx: *mut ffi::sqlite3_context,
    argc: c_int,
    argv: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: SQLite calls this with `argc` (registered as 1) valid values; the text pointer is
    // valid for `sqlite3_value_bytes` bytes until the value changes, and the result is copied by
    // SQLite (SQLITE_TRANSIENT) before `folded` is dropped.
    unsafe {
        if argc != 1 || argv.is_null() {
            ffi::sqlite3_result_null(ctx);
            return;
        }
        let value = *argv;
        if ffi::sqlite3_value_type(value) == ffi::SQLITE_NULL {
            ffi::sqlite3_result_null(ctx);
            return;
        }
        let text = ffi::sqlite3_value_text(value);
        let len = ffi::sqlite3_value_bytes(value);
        if text.is_null() || len < 0 {
            ffi::sqlite3_result_null(ctx);
            return;
        }
        let bytes = std::slice::from_raw_parts(text, len as usize);
        let folded = String::from_utf8_lossy(bytes).to_lowercase();
        match c_int::try_from(folded.len()) {
            Ok(n) => {
                ffi::sqlite3_result_text(ctx, folded.as_ptr().cast(), n, ffi::SQLITE_TRANSIENT())
            }
            Err(_) => ffi::sqlite3_result_error_toobig(ctx),
        }
    }
}

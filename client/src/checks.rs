//! Checks of input fields the client makes before sending, each refusing with an
//! [`Error::InvalidInput`] naming the field.

use crate::error::Error;

/// Notes are free text, but a NUL character cannot be stored; both create and update
/// check them the same way.
pub(crate) fn check_notes(notes: Option<&str>) -> Result<(), Error> {
    match notes {
        Some(notes) if notes.contains('\0') => {
            Err(Error::invalid_input("notes", "contains a NUL character"))
        }
        _ => Ok(()),
    }
}

/// An email address as far as the client can check it without asking Ctrl Hub: one `@`
/// with text on both sides, no white space or control characters.
pub(crate) fn check_email(field: &str, email: &str) -> Result<(), Error> {
    let plausible = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if plausible {
        Ok(())
    } else {
        Err(Error::invalid_input(
            field,
            format!("`{email}` is not an email address"),
        ))
    }
}

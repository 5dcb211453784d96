//! Ids given as [`Uuid`]s or as text, checked before anything is sent.

use uuid::Uuid;

/// Something that names a Ctrl Hub resource: a [`Uuid`], or text holding one.
///
/// Text is checked when the request is sent (or the client built); a malformed or nil id
/// becomes an [`Error::InvalidInput`](crate::Error::InvalidInput) naming the field, and
/// nothing is sent.
pub trait IntoId: sealed::Sealed {
    #[doc(hidden)]
    fn into_id(self) -> Result<Uuid, String>;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for uuid::Uuid {}
    impl Sealed for &uuid::Uuid {}
    impl Sealed for &str {}
    impl Sealed for String {}
    impl Sealed for &String {}
}

fn checked(id: Uuid) -> Result<Uuid, String> {
    if id.is_nil() {
        Err("the nil UUID names no resource".to_owned())
    } else {
        Ok(id)
    }
}

impl IntoId for Uuid {
    fn into_id(self) -> Result<Uuid, String> {
        checked(self)
    }
}

impl IntoId for &Uuid {
    fn into_id(self) -> Result<Uuid, String> {
        checked(*self)
    }
}

impl IntoId for &str {
    fn into_id(self) -> Result<Uuid, String> {
        let id =
            Uuid::try_parse(self.trim()).map_err(|e| format!("`{self}` is not a UUID ({e})"))?;
        checked(id)
    }
}

impl IntoId for String {
    fn into_id(self) -> Result<Uuid, String> {
        self.as_str().into_id()
    }
}

impl IntoId for &String {
    fn into_id(self) -> Result<Uuid, String> {
        self.as_str().into_id()
    }
}

/// An id as given, checked when the request is sent: `Err` holds why it is not one.
pub(crate) type GivenId = Result<Uuid, String>;

/// The id, or an [`Error::InvalidInput`](crate::Error::InvalidInput) naming `field`.
pub(crate) fn checked_id(field: &str, id: GivenId) -> Result<Uuid, crate::Error> {
    id.map_err(|reason| crate::Error::invalid_input(field, reason))
}

#[cfg(test)]
mod tests;

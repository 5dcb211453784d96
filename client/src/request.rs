//! [`Request`]: an operation of the typed API, ready to send.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use crate::error::Error;

type BoxFuture<T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'static>>;

/// An operation of the typed API, such as [`Interactions::create`](crate::Interactions::create),
/// ready to send. Nothing happens until [`send`](Request::send) is awaited (or the request
/// itself is: it is [`IntoFuture`]).
///
/// Input is checked when it is sent: a bad value is an
/// [`Error::InvalidInput`](crate::Error::InvalidInput) naming the field, and nothing is
/// sent. The request owns what it needs, so it can be moved to another task.
#[must_use = "nothing is sent until `send` is awaited"]
pub struct Request<T> {
    future: BoxFuture<T>,
}

impl<T> Request<T> {
    pub(crate) fn new(future: impl Future<Output = Result<T, Error>> + Send + 'static) -> Self {
        Request {
            future: Box::pin(future),
        }
    }

    /// Sends the request and waits for the answer.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] naming the field when the input is wrong (nothing is sent),
    /// or any error of [`Client::call`](crate::Client::call).
    pub async fn send(self) -> Result<T, Error> {
        self.future.await
    }
}

impl<T> IntoFuture for Request<T> {
    type Output = Result<T, Error>;
    type IntoFuture = BoxFuture<T>;

    fn into_future(self) -> Self::IntoFuture {
        self.future
    }
}

impl<T> fmt::Debug for Request<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;

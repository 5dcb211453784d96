//! progenitor's `ClientHooks` for the generated client: every generated operation, wrapped
//! or not, goes through these two hooks.

use std::future::Future;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};

use crate::generated;
use crate::transport::Transport;

impl ClientHooks<Transport> for generated::Client {
    /// Sets the media types, notes the request's method for the call's outcome rules, and
    /// makes sure credentials are at hand before anything is sent.
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let transport = self.inner();
        Transport::prepare(request);
        let method = request.method().clone();
        transport.record(|call| call.method = Some(method));
        // Fetch (or check) credentials before anything is sent, so that a token endpoint
        // failure stops the request here, as a typed error.
        match transport.shared.credentials.authorization().await {
            Ok(authorization) => {
                transport.record(|call| call.authorization = Some(authorization));
                Ok(())
            }
            Err(error) => {
                let text = error.to_string();
                transport.record(|call| call.hook_error = Some(error));
                Err(progenitor_client::Error::Custom(text))
            }
        }
    }

    /// Sends the request the way [`Transport::execute`] does: credentials, renewal after a
    /// 401, retries and tracing. Its future is `execute`'s own, not one more around it.
    fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> impl Future<Output = reqwest::Result<reqwest::Response>> {
        self.inner().execute(self.client(), request, info)
    }
}

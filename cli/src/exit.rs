//! Exit codes, and error messages a person can act on.

use std::fmt;
use std::process::ExitCode;

use ctrlhub::{AuthError, EnvVar, Error, TransportErrorKind};

/// The exit codes of `ctrlhub`; README.md documents them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything asked for was done.
    Success = 0,
    /// A local failure: a file could not be read or written, a journal is damaged.
    Local = 1,
    /// The command line was wrong (clap's own code).
    Usage = 2,
    /// A value or setting was refused before anything was sent (`Error::InvalidInput`),
    /// a list's answer says it does not support a filter or sort given
    /// (`Error::Unsupported`), or an input file's columns are wrong.
    InvalidInput = 3,
    /// The credentials were missing, refused or could not be exchanged (`Error::Auth`).
    Auth = 4,
    /// Ctrl Hub answered with an error (`Error::Api`).
    Api = 5,
    /// Ctrl Hub's answer could not be understood (`Error::Decode`).
    Decode = 6,
    /// Ctrl Hub could not be reached, or did not answer in time (`Error::Transport`).
    Transport = 7,
    /// An import finished, but some rows were refused or malformed.
    RowsFailed = 8,
    /// An import finished, but some rows' outcome is unknown: check them before sending
    /// them again.
    OutcomeUnknown = 9,
    /// Interrupted (Ctrl-C): the work in flight finished and was recorded.
    Interrupted = 130,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

/// A failure to report: the message, and the exit code it gives.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Failure {
    /// A local failure (a file, say).
    pub fn local(message: impl Into<String>) -> Failure {
        Failure {
            exit: Exit::Local,
            message: message.into(),
        }
    }

    /// Input refused before anything was sent.
    pub fn invalid(message: impl Into<String>) -> Failure {
        Failure {
            exit: Exit::InvalidInput,
            message: message.into(),
        }
    }

    /// A setting or value refused before anything was sent, naming it as the command
    /// line spells it.
    pub fn refused(field: &str, reason: impl fmt::Display) -> Failure {
        Failure::invalid(format!(
            "invalid {field}: {reason}\n  nothing was sent; correct it and run again"
        ))
    }

    /// A failed call to Ctrl Hub at `host`, with what to do next.
    pub fn api(error: &Error, host: &str) -> Failure {
        Failure {
            exit: exit_of(error),
            message: describe(error, host),
        }
    }
}

/// The exit code of one kind of `ctrlhub::Error`.
pub fn exit_of(error: &Error) -> Exit {
    match error {
        Error::Api(_) => Exit::Api,
        Error::Auth(_) => Exit::Auth,
        Error::Decode(_) => Exit::Decode,
        Error::Transport(_) => Exit::Transport,
        Error::InvalidInput(_) | Error::Unsupported(_) => Exit::InvalidInput,
        // A kind added to the library later: still a failure, never success.
        _ => Exit::Local,
    }
}

/// A library setting's name (the builder's or the variable's), as the command line spells
/// it: `--org-id (CTRLHUB_ORG_ID)`.
fn flag_of(field: &str) -> Option<String> {
    EnvVar::for_setting(field).and_then(crate::args::flag_of)
}

/// A reason that names other settings by their variables, with their flags too.
fn with_flags(reason: &str) -> String {
    EnvVar::ALL
        .into_iter()
        .fold(reason.to_owned(), |text, var| {
            match crate::args::flag_of(var) {
                Some(flag) => text.replace(var.name(), &flag),
                None => text,
            }
        })
}

/// One message: what happened, where, the status and trace id, and what to do next.
pub fn describe(error: &Error, host: &str) -> String {
    let mut lines = Vec::new();
    match error {
        Error::InvalidInput(input) => {
            let field = flag_of(&input.field).unwrap_or_else(|| input.field.clone());
            return Failure::refused(&field, with_flags(&input.reason)).message;
        }
        Error::Unsupported(unsupported) => {
            lines.push(format!("{host}: {error}"));
            lines.push(format!(
                "check the --{} value, or add --unchecked-params if the server supports it \
                 anyway",
                unsupported.parameter
            ));
        }
        // The library's message names the host and the cause itself.
        Error::Transport(_) => lines.push(error.to_string()),
        _ => lines.push(format!("{host}: {error}")),
    }
    if let Some(status) = error.status() {
        lines.push(format!("status: {status}"));
    }
    if let Some(trace_id) = error.trace_id() {
        lines.push(format!(
            "trace id: {trace_id} (quote it to Ctrl Hub support)"
        ));
    }
    lines.push(format!("next: {}", next_step(error)));
    lines.join("\n  ")
}

/// What a person can do about `error`.
fn next_step(error: &Error) -> String {
    let step = step_for_kind(error);
    if error.is_outcome_unknown() {
        format!(
            "{step}; but first, if this was a create or a change, Ctrl Hub may have made it: \
             look for it (`ctrlhub interactions list`) before sending it again"
        )
    } else {
        step
    }
}

fn step_for_kind(error: &Error) -> String {
    match error {
        Error::Auth(AuthError::Rejected { .. }) => {
            "check CTRLHUB_SESSION_TOKEN (or the service-account key) and CTRLHUB_ORG_ID; \
             a session token expires when its login session ends. `ctrlhub auth check` tests them"
                .to_owned()
        }
        Error::Auth(AuthError::TokenRefused { .. }) => {
            "check CTRLHUB_CLIENT_ID and CTRLHUB_CLIENT_SECRET (the service-account key)".to_owned()
        }
        Error::Auth(_) => {
            "check CTRLHUB_AUTH_URL and that the token endpoint can be reached".to_owned()
        }
        Error::Api(api) => match api.status.as_u16() {
            400 | 422 => "correct the values Ctrl Hub named above and run again".to_owned(),
            403 => "the credentials may not do this in this organisation; ask its admin".to_owned(),
            404 => "check the id and the organisation (CTRLHUB_ORG_ID); the list commands show \
                    the ids you can see"
                .to_owned(),
            429 => "Ctrl Hub is limiting requests: wait a minute and run again (with a lower \
                    --concurrency for an import)"
                .to_owned(),
            500..=599 => "Ctrl Hub failed: try again later; if it persists, give Ctrl Hub \
                          support the trace id"
                .to_owned(),
            _ => "see the message above".to_owned(),
        },
        Error::Decode(decode) if decode.answer_limit.is_some() => {
            "the answer was larger than the client accepts; ask for less (a smaller --limit)"
                .to_owned()
        }
        Error::Decode(_) => "the answer was not Ctrl Hub's (a proxy or a wrong --base-url?): \
                             check CTRLHUB_BASE_URL"
            .to_owned(),
        Error::Transport(transport) => match transport.kind {
            TransportErrorKind::Connect => {
                "check --base-url (CTRLHUB_BASE_URL), the network and any proxy".to_owned()
            }
            TransportErrorKind::Timeout => {
                "try again, or allow longer with --timeout SECONDS".to_owned()
            }
            _ => "try again".to_owned(),
        },
        _ => "see the message above".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exit_codes_are_the_documented_ones() {
        let codes = [
            (Exit::Success, 0),
            (Exit::Local, 1),
            (Exit::Usage, 2),
            (Exit::InvalidInput, 3),
            (Exit::Auth, 4),
            (Exit::Api, 5),
            (Exit::Decode, 6),
            (Exit::Transport, 7),
            (Exit::RowsFailed, 8),
            (Exit::OutcomeUnknown, 9),
            (Exit::Interrupted, 130),
        ];
        for (exit, code) in codes {
            assert_eq!(exit as i32, code);
        }
    }

    #[test]
    fn settings_are_named_as_the_command_line_spells_them() {
        let error = ctrlhub::Client::builder()
            .session_token("t")
            .build()
            .unwrap_err();
        assert_eq!(exit_of(&error), Exit::InvalidInput);
        assert_eq!(
            describe(&error, "h"),
            "invalid --org-id (CTRLHUB_ORG_ID): is required\n  nothing was sent; correct it and run again"
        );
        for (field, flag) in [
            ("base_url", "--base-url"),
            ("session_token", "--session-token"),
            ("client_id", "--client-id"),
            ("client_secret", "--client-secret"),
            ("token_url", "--auth-url"),
            ("CTRLHUB_AUTH_URL", "--auth-url"),
        ] {
            assert!(flag_of(field).unwrap().starts_with(flag), "{field}");
        }
        assert_eq!(flag_of("notes"), None);
    }

    #[test]
    fn auth_failures_say_which_credentials_to_check() {
        let rejected = Error::Auth(AuthError::Rejected {
            errors: Vec::new(),
            trace_id: Some("t-1".into()),
        });
        assert_eq!(exit_of(&rejected), Exit::Auth);
        let message = describe(&rejected, "api.example");
        assert!(
            message.starts_with("api.example: Ctrl Hub refused the credentials"),
            "{message}"
        );
        assert!(message.contains("\n  status: 401 Unauthorized"));
        assert!(message.contains("\n  trace id: t-1 (quote it"));
        assert!(message.contains("next: check CTRLHUB_SESSION_TOKEN"));
        let refused = Error::Auth(AuthError::TokenRefused {
            status: reqwest::StatusCode::BAD_REQUEST,
            error: Some("invalid_client".into()),
            description: None,
        });
        assert!(
            describe(&refused, "h")
                .contains("next: check CTRLHUB_CLIENT_ID and CTRLHUB_CLIENT_SECRET")
        );
        let unavailable = Error::Auth(AuthError::TokenUnavailable { reason: "x".into() });
        assert!(describe(&unavailable, "h").contains("next: check CTRLHUB_AUTH_URL"));
    }
}

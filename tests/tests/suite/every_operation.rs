//! The bad answers and bad input the interaction suites cover, for every typed operation
//! of every resource, through one table: each operation is sent against a server that
//! answers badly, and each must give the same specific error.

use std::future::Future;
use std::pin::Pin;

use ctrlhub::{
    AuthError, ContactChanges, Error, InteractionChanges, NewCustomerAccount, NewInteraction,
    Outcome, RetryPolicy, TransportErrorKind,
};
use httpmock::MockServer;
use serde_json::json;

use crate::common::*;

type Run = fn(ctrlhub::Client) -> Pin<Box<dyn Future<Output = Result<(), Error>> + Send>>;

/// One typed operation: how to call it, and what it sends.
struct Operation {
    name: &'static str,
    method: &'static str,
    path: String,
    run: Run,
    /// Whether the operation reads a body from a success answer.
    reads_body: bool,
}

const ID: &str = "00000000-0000-4000-8000-0000000000aa";

fn org_path(rest: &str) -> String {
    format!("/v3/orgs/{ORG}/{rest}")
}

macro_rules! run {
    (|$client:ident| $body:expr) => {{
        fn run(
            $client: ctrlhub::Client,
        ) -> Pin<Box<dyn Future<Output = Result<(), Error>> + Send>> {
            Box::pin(async move { $body.map(|_| ()) })
        }
        run as Run
    }};
}

fn operations() -> Vec<Operation> {
    vec![
        Operation {
            name: "interactions().create",
            method: "POST",
            path: org_path("customers/interactions"),
            run: run!(|c| c.interactions().create(NewInteraction::new()).send().await),
            reads_body: true,
        },
        Operation {
            name: "interactions().list().page",
            method: "GET",
            path: org_path("customers/interactions"),
            run: run!(|c| c.interactions().list().page().await),
            reads_body: true,
        },
        Operation {
            name: "interactions().get",
            method: "GET",
            path: org_path(&format!("customers/interactions/{ID}")),
            run: run!(|c| c.interactions().get(ID).send().await),
            reads_body: true,
        },
        Operation {
            // Reads the interaction first: a bad answer to that read is the error.
            name: "interactions().update",
            method: "GET",
            path: org_path(&format!("customers/interactions/{ID}")),
            run: run!(|c| c
                .interactions()
                .update(ID, InteractionChanges::new().contacted(true))
                .send()
                .await),
            reads_body: true,
        },
        Operation {
            name: "interactions().update_may_clear_unmentioned",
            method: "PUT",
            path: org_path(&format!("customers/interactions/{ID}")),
            run: run!(|c| c
                .interactions()
                .update_may_clear_unmentioned(ID, InteractionChanges::new().contacted(true))
                .send()
                .await),
            reads_body: true,
        },
        Operation {
            name: "interactions().set_contact",
            method: "PATCH",
            path: org_path(&format!(
                "customers/interactions/{ID}/relationships/contact"
            )),
            run: run!(|c| c.interactions().set_contact(ID, SEED_ID).send().await),
            reads_body: false,
        },
        Operation {
            name: "contacts().list().page",
            method: "GET",
            path: org_path("customers/contacts"),
            run: run!(|c| c.contacts().list().page().await),
            reads_body: true,
        },
        Operation {
            name: "contacts().get",
            method: "GET",
            path: org_path(&format!("customers/contacts/{ID}")),
            run: run!(|c| c.contacts().get(ID).send().await),
            reads_body: true,
        },
        Operation {
            name: "contacts().update",
            method: "GET",
            path: org_path(&format!("customers/contacts/{ID}")),
            run: run!(|c| c
                .contacts()
                .update(ID, ContactChanges::new().last_name("Lovelace"))
                .send()
                .await),
            reads_body: true,
        },
        Operation {
            name: "contacts().update_may_clear_unmentioned",
            method: "PUT",
            path: org_path(&format!("customers/contacts/{ID}")),
            run: run!(|c| c
                .contacts()
                .update_may_clear_unmentioned(ID, ContactChanges::new().last_name("Lovelace"))
                .send()
                .await),
            reads_body: true,
        },
        Operation {
            name: "customer_accounts().create",
            method: "POST",
            path: org_path("customers/accounts"),
            run: run!(|c| c
                .customer_accounts()
                .create(NewCustomerAccount::new().contact(SEED_ID))
                .send()
                .await),
            reads_body: true,
        },
        Operation {
            name: "customer_accounts().add_contacts",
            method: "POST",
            path: org_path(&format!("customers/accounts/{ID}/relationships/contacts")),
            run: run!(|c| c
                .customer_accounts()
                .add_contacts(ID, [SEED_ID])
                .send()
                .await),
            reads_body: false,
        },
        Operation {
            name: "customer_accounts().set_contacts",
            method: "PATCH",
            path: org_path(&format!("customers/accounts/{ID}/relationships/contacts")),
            run: run!(|c| c
                .customer_accounts()
                .set_contacts(ID, [SEED_ID])
                .send()
                .await),
            reads_body: false,
        },
        Operation {
            name: "members().list().page",
            method: "GET",
            path: org_path("iam/members"),
            run: run!(|c| c.members().list().page().await),
            reads_body: true,
        },
        Operation {
            name: "members().get",
            method: "GET",
            path: org_path(&format!("iam/members/{ID}")),
            run: run!(|c| c.members().get(ID).send().await),
            reads_body: true,
        },
    ]
}

/// Sends `op` to a server answering `status`, `content_type`, `body` and `headers`, with
/// retries off; returns the result and how many requests the server saw.
async fn answered(
    op: &Operation,
    status: u16,
    content_type: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> (Result<(), Error>, usize) {
    let server = MockServer::start_async().await;
    let (content_type, body) = (content_type.to_owned(), body.to_owned());
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mock = server
        .mock_async(|when, then| {
            when.method(op.method).path(op.path.clone());
            let mut then = then.status(status);
            if !content_type.is_empty() {
                then = then.header("content-type", content_type);
            }
            for (name, value) in headers {
                then = then.header(name, value);
            }
            then.body(body);
        })
        .await;
    let client = ctrlhub::Client::builder()
        .base_url(server.base_url())
        .organisation_id(ORG)
        .session_token(TOKEN)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let result = (op.run)(client).await;
    (result, mock.calls_async().await)
}

fn is_post(op: &Operation) -> bool {
    op.method == "POST"
}

#[tokio::test]
async fn a_400_in_either_documented_shape_is_an_api_error_with_its_words() {
    let guide = json!({"errors": [{"status": "400", "title": "The request body is not valid",
                                   "detail": "attributes is required",
                                   "meta": {"field": "data"}}]})
    .to_string();
    let reference =
        json!({"id": ID, "status": "400", "title": "A validation error was encountered",
                           "source": {"parameter": "include"}})
        .to_string();
    for op in operations() {
        let (result, sent) = answered(&op, 400, JSON_API, &guide, &[]).await;
        let Err(Error::Api(api)) = result else {
            panic!("{}: expected Api, got {result:?}", op.name);
        };
        assert_eq!((api.status.as_u16(), sent), (400, 1), "{}", op.name);
        assert_eq!(
            api.errors[0].detail.as_deref(),
            Some("attributes is required"),
            "{}",
            op.name
        );
        assert_eq!(api.errors[0].location(), Some("data"), "{}", op.name);
        assert!(!api.to_string().contains("no detail"), "{}", op.name);

        let (result, _) = answered(&op, 400, JSON_API, &reference, &[]).await;
        let Err(Error::Api(api)) = result else {
            panic!("{}: expected Api, got {result:?}", op.name);
        };
        assert_eq!(api.errors.len(), 1, "{}", op.name);
        assert_eq!(api.errors[0].location(), Some("include"), "{}", op.name);
    }
}

#[tokio::test]
async fn a_json_error_that_is_not_json_api_keeps_its_words() {
    let gateway = json!({"error": "invalid_request", "error_description": "date_time is required"})
        .to_string();
    for op in operations() {
        let (result, _) = answered(&op, 400, "application/json", &gateway, &[]).await;
        let Err(error) = result else {
            panic!("{}: expected an error", op.name);
        };
        let text = error.to_string();
        assert!(
            text.contains("error_description: date_time is required"),
            "{}: {text}",
            op.name
        );
        assert!(!text.contains("no detail"), "{}: {text}", op.name);
    }
}

#[tokio::test]
async fn a_401_is_an_auth_error_and_a_404_an_api_error() {
    let body = json!({"errors": [{"status": "404", "title": "Not found"}]}).to_string();
    for op in operations() {
        let (result, _) = answered(&op, 401, JSON_API, "", &[]).await;
        assert!(
            matches!(result, Err(Error::Auth(AuthError::Rejected { .. }))),
            "{}: {result:?}",
            op.name
        );
        let (result, _) = answered(&op, 404, JSON_API, &body, &[]).await;
        let Err(error) = result else {
            panic!("{}: expected an error", op.name);
        };
        assert_eq!(error.status().map(|s| s.as_u16()), Some(404), "{}", op.name);
        assert!(
            !error.is_outcome_unknown(),
            "{}: a 404 changed nothing",
            op.name
        );
    }
}

#[tokio::test]
async fn a_500_without_a_body_surfaces_the_trace_id_and_for_a_post_an_unknown_outcome() {
    for op in operations() {
        let (result, sent) = answered(&op, 500, "", "", &[("x-trace-id", "t-500")]).await;
        let Err(Error::Api(api)) = result else {
            panic!("{}: expected Api, got {result:?}", op.name);
        };
        assert_eq!(sent, 1, "{}: sent once", op.name);
        assert_eq!(api.trace_id.as_deref(), Some("t-500"), "{}", op.name);
        assert!(api.errors.is_empty(), "{}", op.name);
        let expected = is_post(&op).then_some(Outcome::Unknown);
        assert_eq!(api.outcome, expected, "{}", op.name);
    }
}

#[tokio::test]
async fn an_html_page_from_a_proxy_is_a_decode_error_with_status_type_and_snippet() {
    let page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    for op in operations() {
        let (result, _) = answered(&op, 502, "text/html", page, &[]).await;
        let Err(Error::Decode(decode)) = &result else {
            panic!("{}: expected Decode, got {result:?}", op.name);
        };
        assert_eq!(decode.status.map(|s| s.as_u16()), Some(502), "{}", op.name);
        assert_eq!(
            decode.content_type.as_deref(),
            Some("text/html"),
            "{}",
            op.name
        );
        assert!(decode.snippet.contains("502 Bad Gateway"), "{}", op.name);
        assert_eq!(
            decode.outcome,
            is_post(&op).then_some(Outcome::Unknown),
            "{}",
            op.name
        );
    }
}

#[tokio::test]
async fn truncated_or_shapeless_success_answers_are_decode_errors_where_a_body_is_read() {
    for op in operations() {
        let (truncated, _) = answered(&op, 200, JSON_API, r#"{"data": "#, &[]).await;
        let (shapeless, _) = answered(&op, 200, JSON_API, r#"{"meta": {}}"#, &[]).await;
        if !op.reads_body {
            // Relationship endpoints may answer 200 with a body or 204 without; no body
            // is read, so a broken one cannot fail them.
            assert!(truncated.is_ok() && shapeless.is_ok(), "{}", op.name);
            continue;
        }
        let Err(Error::Decode(decode)) = &truncated else {
            panic!("{}: expected Decode, got {truncated:?}", op.name);
        };
        assert!(
            decode.reason.starts_with("the JSON ends early"),
            "{}: {}",
            op.name,
            decode.reason
        );
        // A success to a POST means it was stored, even if the answer is unreadable.
        assert_eq!(
            decode.outcome,
            is_post(&op).then_some(Outcome::Unknown),
            "{}",
            op.name
        );
        let Err(Error::Decode(decode)) = &shapeless else {
            panic!("{}: expected Decode, got {shapeless:?}", op.name);
        };
        assert!(
            decode.reason.contains("missing field `data`"),
            "{}: {}",
            op.name,
            decode.reason
        );
    }
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error_that_says_nothing_was_sent() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    for op in operations() {
        let client = ctrlhub::Client::builder()
            .base_url(format!("http://127.0.0.1:{port}"))
            .organisation_id(ORG)
            .session_token(TOKEN)
            .retry_policy(RetryPolicy::disabled())
            .build()
            .unwrap();
        let result = (op.run)(client).await;
        let Err(Error::Transport(transport)) = &result else {
            panic!("{}: expected Transport, got {result:?}", op.name);
        };
        assert_eq!(transport.kind, TransportErrorKind::Connect, "{}", op.name);
        assert_eq!(transport.outcome, Outcome::NotSent, "{}", op.name);
    }
}

/// Runs `run` against a server that would accept anything; returns the input error's
/// field and reason, and asserts nothing was sent.
async fn refused<F>(run: impl FnOnce(ctrlhub::Client) -> F) -> (String, String)
where
    F: Future<Output = Result<(), Error>>,
{
    let server = MockServer::start_async().await;
    let anything = server
        .mock_async(|_, then| {
            then.status(200);
        })
        .await;
    let result = run(client(&server.base_url())).await;
    assert_eq!(anything.calls_async().await, 0, "nothing is sent");
    match result {
        Err(Error::InvalidInput(input)) => (input.field, input.reason),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_input_to_the_new_resources_is_refused_naming_the_field() {
    let field = |refusal: (String, String)| refusal.0;
    assert_eq!(
        field(refused(|c| async move { c.contacts().get("nope").send().await.map(|_| ()) }).await),
        "id"
    );
    assert_eq!(
        field(
            refused(|c| async move {
                c.contacts()
                    .update(uuid::Uuid::nil(), ContactChanges::new().first_name("A"))
                    .send()
                    .await
                    .map(|_| ())
            })
            .await
        ),
        "id"
    );
    let (name, reason) = refused(|c| async move {
        c.contacts()
            .update(ID, ContactChanges::new())
            .send()
            .await
            .map(|_| ())
    })
    .await;
    assert_eq!(name, "update");
    // The updatable fields come from the spec's update schema.
    assert_eq!(
        reason,
        "sets nothing: set email, first_name, last_name or telephone"
    );
    let (name, reason) = refused(|c| async move {
        c.interactions()
            .update_may_clear_unmentioned(ID, ctrlhub::InteractionChanges::new())
            .await
            .map(|_| ())
    })
    .await;
    assert_eq!(name, "update");
    assert_eq!(reason, "sets nothing: set contacted, date_time or notes");
    for bad in ["ada", "ada@", "@example.com", "a b@example.com", "a@b@c"] {
        let (name, reason) = refused(|c| async move {
            c.contacts()
                .update(ID, ContactChanges::new().email(bad))
                .send()
                .await
                .map(|_| ())
        })
        .await;
        assert_eq!(name, "email", "{bad}");
        assert!(reason.contains("is not an email address"), "{reason}");
    }
    let (name, reason) = refused(|c| async move {
        c.customer_accounts()
            .create(
                NewCustomerAccount::new()
                    .contact(SEED_ID)
                    .contact("not-an-id"),
            )
            .send()
            .await
            .map(|_| ())
    })
    .await;
    assert_eq!(name, "contacts[1]");
    assert!(reason.contains("`not-an-id` is not a UUID"), "{reason}");
    assert_eq!(
        field(
            refused(|c| async move {
                c.customer_accounts()
                    .create(NewCustomerAccount::new().property(uuid::Uuid::nil()))
                    .send()
                    .await
                    .map(|_| ())
            })
            .await
        ),
        "properties[0]"
    );
    let none: [&str; 0] = [];
    let (name, reason) =
        refused(|c| async move { c.customer_accounts().add_contacts(ID, none).send().await }).await;
    assert_eq!(name, "contacts");
    assert!(reason.contains("adds nothing"), "{reason}");
    assert_eq!(
        field(
            refused(|c| async move { c.customer_accounts().set_contacts(ID, ["x"]).send().await })
                .await
        ),
        "contacts[0]"
    );
    assert_eq!(
        field(refused(|c| async move { c.members().get("").send().await.map(|_| ()) }).await),
        "id"
    );
    assert_eq!(
        field(
            refused(|c| async move { c.members().list().limit(0).page().await.map(|_| ()) }).await
        ),
        "limit"
    );
    assert_eq!(
        field(
            refused(|c| async move {
                c.contacts()
                    .list()
                    .filter("email]", "x")
                    .page()
                    .await
                    .map(|_| ())
            })
            .await
        ),
        "filter"
    );
}

#[tokio::test]
async fn notes_with_a_nul_character_are_refused_on_create_and_update() {
    let (field, reason) = refused(|c| async move {
        c.interactions()
            .create(ctrlhub::NewInteraction::new().notes("before\0after"))
            .await
            .map(|_| ())
    })
    .await;
    assert_eq!(
        (field.as_str(), reason.as_str()),
        ("notes", "contains a NUL character")
    );
    let (field, _) = refused(|c| async move {
        c.interactions()
            .update(ID, ctrlhub::InteractionChanges::new().notes("\0"))
            .await
            .map(|_| ())
    })
    .await;
    assert_eq!(field, "notes");
}

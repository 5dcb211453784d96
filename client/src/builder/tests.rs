use super::*;
use crate::env::EnvVar;

const ORG: &str = "5f0c7b9e-8a4e-4f4e-9b53-0d9a6c3f2e11";

fn from(vars: &[(&str, &str)]) -> Result<Client, Error> {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    crate::env::from_lookup(|name| {
        vars.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .ok_or(std::env::VarError::NotPresent)
    })
}

fn field(result: Result<Client, Error>) -> String {
    match result {
        Err(Error::InvalidInput(e)) => e.field,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[test]
fn a_session_token_from_the_environment() {
    let client = from(&[
        (EnvVar::OrgId.name(), ORG),
        (EnvVar::SessionToken.name(), "tok"),
    ])
    .unwrap();
    assert_eq!(client.base_url(), Endpoints::PRODUCTION.api);
    assert_eq!(client.organisation_id().to_string(), ORG);
    assert!(format!("{client:?}").contains("SessionToken([redacted])"));
}

#[test]
fn a_service_account_from_the_environment_uses_the_staging_auth_for_staging() {
    let client = from(&[
        (EnvVar::BaseUrl.name(), Endpoints::STAGING.api),
        (EnvVar::OrgId.name(), ORG),
        (EnvVar::ClientId.name(), "svc-1"),
        (EnvVar::ClientSecret.name(), "s3cr3t-value"),
    ])
    .unwrap();
    let debug = format!("{client:?}");
    assert!(debug.contains(Endpoints::STAGING.token), "{debug}");
    assert!(debug.contains("svc-1"));
    assert!(!debug.contains("s3cr3t-value"));
}

#[test]
fn missing_or_malformed_variables_are_named() {
    assert_eq!(
        field(from(&[(EnvVar::SessionToken.name(), "tok")])),
        EnvVar::OrgId.name()
    );
    assert_eq!(
        field(from(&[
            (EnvVar::OrgId.name(), "nope"),
            (EnvVar::SessionToken.name(), "t")
        ])),
        EnvVar::OrgId.name()
    );
    assert_eq!(
        field(from(&[(EnvVar::OrgId.name(), ORG)])),
        EnvVar::SessionToken.name()
    );
    assert_eq!(
        field(from(&[
            (EnvVar::OrgId.name(), ORG),
            (EnvVar::ClientId.name(), "svc")
        ])),
        EnvVar::ClientSecret.name()
    );
    assert_eq!(
        field(from(&[
            (EnvVar::OrgId.name(), ORG),
            (EnvVar::ClientSecret.name(), "s")
        ])),
        EnvVar::ClientId.name()
    );
    assert_eq!(
        field(from(&[
            (EnvVar::OrgId.name(), ORG),
            (EnvVar::SessionToken.name(), "t"),
            (EnvVar::ClientId.name(), "svc"),
            (EnvVar::ClientSecret.name(), "s")
        ])),
        EnvVar::SessionToken.name()
    );
    assert_eq!(
        field(from(&[
            (EnvVar::BaseUrl.name(), "http://api.example.com"),
            (EnvVar::OrgId.name(), ORG),
            (EnvVar::SessionToken.name(), "t")
        ])),
        EnvVar::BaseUrl.name()
    );
    assert_eq!(
        field(from(&[
            (EnvVar::OrgId.name(), ORG),
            (EnvVar::ClientId.name(), "svc"),
            (EnvVar::ClientSecret.name(), "s"),
            (EnvVar::AuthUrl.name(), "http://auth.example.com/token")
        ])),
        EnvVar::AuthUrl.name()
    );
    assert_eq!(
        field(from(&[
            (EnvVar::OrgId.name(), ORG),
            (EnvVar::SessionToken.name(), "a b")
        ])),
        EnvVar::SessionToken.name()
    );
}

#[test]
fn plain_http_is_refused_off_loopback_unless_allowed() {
    let build = |url: &str, allow: bool| {
        Client::builder()
            .base_url(url)
            .organisation_id(ORG)
            .session_token("t")
            .allow_http(allow)
            .build()
    };
    assert_eq!(field(build("http://api.ctrl-hub.com", false)), "base_url");
    assert!(build("http://api.ctrl-hub.com", true).is_ok());
    for loopback in [
        "http://127.0.0.1:8080",
        "http://127.9.0.1",
        "http://[::1]:9",
        "http://localhost:3000/",
    ] {
        assert!(build(loopback, false).is_ok(), "{loopback}");
    }
    assert_eq!(field(build("http://10.0.0.1", false)), "base_url");
    assert_eq!(
        field(build("https://user:pw@api.ctrl-hub.com", false)),
        "base_url"
    );
    let token = Client::builder()
        .organisation_id(ORG)
        .client_credentials("svc", "secret")
        .token_url("http://auth.example.com/oauth2/token")
        .build();
    assert_eq!(field(token), "token_url");
}

#[test]
fn the_builder_shows_its_settings_but_no_secret_or_url_credentials() {
    let builder = Client::builder()
        .base_url("https://alice:hunter2@api.ctrl-hub.dev/x?token=abc#frag")
        .organisation_id(ORG)
        .client_credentials("svc-1", "s3cr3t-value")
        .max_answer_size(4096)
        .proxy("http://bob:proxy-pass@proxy.internal:3128")
        .add_root_certificate_pem("-----BEGIN CERTIFICATE-----")
        .user_agent_suffix("billing-sync/2.1");
    let debug = format!("{builder:?}");
    assert!(debug.contains("https://api.ctrl-hub.dev/x"), "{debug}");
    assert!(debug.contains("svc-1"), "{debug}");
    assert!(debug.contains("[redacted]"), "{debug}");
    assert!(debug.contains("max_answer_size: 4096"), "{debug}");
    assert!(
        debug.contains(r#"proxy: Url(Some("http://proxy.internal:3128/"))"#),
        "{debug}"
    );
    assert!(
        debug.contains("root_certificates: [Pem(27 bytes)]"),
        "{debug}"
    );
    assert!(
        debug.contains(r#"user_agent_suffix: Some("billing-sync/2.1")"#),
        "{debug}"
    );
    for secret in [
        "hunter2",
        "alice",
        "s3cr3t-value",
        "token=abc",
        "frag",
        "bob",
        "proxy-pass",
    ] {
        assert!(!debug.contains(secret), "{secret} shown: {debug}");
    }
    let unparsable = format!("{:?}", Client::builder().base_url("not a url"));
    assert!(unparsable.contains("[not a URL]"), "{unparsable}");
    assert!(format!("{:?}", Client::builder()).contains("base_url: None"));
}

#[test]
fn the_default_answer_limit_is_32_mib() {
    assert_eq!(ClientBuilder::DEFAULT_MAX_ANSWER_SIZE, 33_554_432);
}

#[test]
fn endpoints_set_both_urls() {
    let client = Client::builder()
        .endpoints(Endpoints::STAGING)
        .organisation_id(ORG)
        .client_credentials("svc", "secret")
        .build()
        .unwrap();
    assert_eq!(client.base_url(), "https://api.ctrl-hub.dev");
    assert!(format!("{client:?}").contains("https://auth.ctrl-hub.dev/oauth2/token"));
    let production = Client::builder()
        .organisation_id(ORG)
        .session_token("t")
        .build()
        .unwrap();
    assert_eq!(production.base_url(), Endpoints::PRODUCTION.api);
}

#[test]
fn each_part_of_a_url_that_could_carry_a_secret_is_refused_on_its_own() {
    let reason = |url: &str| match Client::builder()
        .base_url(url)
        .organisation_id(ORG)
        .session_token("t")
        .build()
    {
        Err(Error::InvalidInput(e)) => {
            assert_eq!(e.field, "base_url");
            e.reason
        }
        other => panic!("{url}: expected InvalidInput, got {other:?}"),
    };
    assert!(reason("https://user@api.ctrl-hub.com").contains("user name or password"));
    assert!(reason("https://:pw@api.ctrl-hub.com").contains("user name or password"));
    assert!(reason("https://api.ctrl-hub.com?x=1").contains("query or fragment"));
    assert!(reason("https://api.ctrl-hub.com#f").contains("query or fragment"));
    assert!(reason("http://api.ctrl-hub.com").contains("plain http"));
    assert!(reason("ftp://api.ctrl-hub.com").contains("must be an https:// URL"));
}

#[test]
fn env_var_names_display_as_themselves_and_blank_values_count_as_unset() {
    assert_eq!(EnvVar::ClientSecret.to_string(), "CTRLHUB_CLIENT_SECRET");
    assert_eq!(EnvVar::ALL.len(), 6);
    let client = from(&[
        (EnvVar::BaseUrl.name(), "   "),
        (EnvVar::OrgId.name(), ORG),
        (EnvVar::SessionToken.name(), "tok"),
    ])
    .unwrap();
    assert_eq!(client.base_url(), Endpoints::PRODUCTION.api);
}

#[test]
fn a_root_that_parses_but_is_no_certificate_fails_the_build_naming_the_roots() {
    let result = Client::builder()
        .organisation_id(ORG)
        .session_token("tok")
        .no_proxy()
        .add_root_certificate_der(vec![0x30, 0x03, 0x02, 0x01, 0x01])
        .build();
    let (field, reason) = match result {
        Err(Error::InvalidInput(e)) => (e.field, e.reason),
        other => panic!("expected InvalidInput, got {other:?}"),
    };
    assert_eq!(field, "root_certificates");
    assert!(reason.starts_with("could not set up HTTP"), "{reason}");
}

#[test]
fn settings_from_a_lookup_follow_the_environment_rules_and_leave_the_rest_to_build() {
    let org = |var: EnvVar| (var == EnvVar::OrgId).then(|| ORG.to_owned());
    assert_eq!(
        field(ClientBuilder::from_vars(org).and_then(ClientBuilder::build)),
        EnvVar::SessionToken.name()
    );
    let builder = ClientBuilder::from_vars(|var| match var {
        EnvVar::OrgId => Some(ORG.to_owned()),
        EnvVar::SessionToken => Some("tok".to_owned()),
        _ => None,
    })
    .unwrap();
    let client = builder.timeout(Duration::from_secs(3)).build().unwrap();
    assert_eq!(client.organisation_id().to_string(), ORG);
    assert_eq!(
        field(
            ClientBuilder::from_vars(|var| (var == EnvVar::SessionToken).then(|| "t".to_owned()))
                .and_then(ClientBuilder::build)
        ),
        EnvVar::OrgId.name()
    );
}

#[test]
fn a_setting_is_found_by_the_builder_name_or_the_variable_name() {
    for var in EnvVar::ALL {
        assert_eq!(EnvVar::for_setting(var.name()), Some(var));
    }
    assert_eq!(EnvVar::for_setting("organisation_id"), Some(EnvVar::OrgId));
    assert_eq!(EnvVar::for_setting("token_url"), Some(EnvVar::AuthUrl));
    assert_eq!(
        EnvVar::for_setting("client_secret"),
        Some(EnvVar::ClientSecret)
    );
    assert_eq!(EnvVar::for_setting("notes"), None);
}

use super::*;

fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

fn refused<T: fmt::Debug>(result: Result<T, Error>) -> (String, String) {
    match result {
        Err(Error::InvalidInput(e)) => (e.field, e.reason),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

/// The proxy's host and port, and where it was set.
fn shown(proxy: &ChosenProxy) -> String {
    format!(
        "{}:{} from {}",
        proxy.url.host_str().unwrap(),
        proxy.url.port_or_known_default().unwrap(),
        proxy.source
    )
}

#[test]
fn no_proxy_in_the_environment_means_none() {
    assert!(
        https_proxy(&ProxyChoice::FromEnv, env(&[]))
            .unwrap()
            .is_none()
    );
    assert!(
        https_proxy(&ProxyChoice::FromEnv, env(&[("HTTPS_PROXY", "  ")]))
            .unwrap()
            .is_none(),
        "a blank variable counts as unset"
    );
    assert!(
        https_proxy(
            &ProxyChoice::FromEnv,
            env(&[("HTTP_PROXY", "http://plain.example:8080")])
        )
        .unwrap()
        .is_none(),
        "HTTP_PROXY is for plain http, which never goes through a proxy"
    );
}

#[test]
fn https_proxy_wins_over_all_proxy_and_upper_case_over_lower() {
    let proxy = https_proxy(
        &ProxyChoice::FromEnv,
        env(&[
            ("all_proxy", "http://all-lower.example:1"),
            ("ALL_PROXY", "http://all-upper.example:2"),
            ("https_proxy", "http://https-lower.example:3"),
            ("HTTPS_PROXY", "http://https-upper.example:4"),
        ]),
    )
    .unwrap()
    .unwrap();
    assert_eq!(shown(&proxy), "https-upper.example:4 from HTTPS_PROXY");

    for (vars, expected) in [
        (
            &[
                ("all_proxy", "http://all-lower.example:1"),
                ("https_proxy", "http://https-lower.example:3"),
            ][..],
            "https-lower.example:3 from https_proxy",
        ),
        (
            &[
                ("all_proxy", "http://all-lower.example:1"),
                ("ALL_PROXY", "http://all-upper.example:2"),
            ][..],
            "all-upper.example:2 from ALL_PROXY",
        ),
        (
            &[("all_proxy", "http://all-lower.example:1")][..],
            "all-lower.example:1 from all_proxy",
        ),
    ] {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let proxy = https_proxy(&ProxyChoice::FromEnv, |name| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
        .unwrap()
        .unwrap();
        assert_eq!(shown(&proxy), expected);
    }
}

#[test]
fn a_proxy_set_in_code_replaces_the_environment_and_no_proxy_ignores_both() {
    let vars = env(&[("HTTPS_PROXY", "http://from-env.example:1")]);
    let proxy = https_proxy(&ProxyChoice::Url("http://in-code.example:2".into()), &vars)
        .unwrap()
        .unwrap();
    assert_eq!(shown(&proxy), "in-code.example:2 from proxy");
    assert_eq!(proxy.exclusions, None);
    assert!(https_proxy(&ProxyChoice::None, &vars).unwrap().is_none());
}

#[test]
fn no_proxy_lists_the_hosts_reached_directly() {
    let proxy = https_proxy(
        &ProxyChoice::FromEnv,
        env(&[
            ("HTTPS_PROXY", "http://proxy.example:3128"),
            ("no_proxy", "api.ctrl-hub.dev"),
            ("NO_PROXY", "api.ctrl-hub.com,.internal"),
        ]),
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        proxy.exclusions.as_deref(),
        Some("api.ctrl-hub.com,.internal")
    );
    let reqwest_proxy = format!("{:?}", proxy.into_reqwest().unwrap());
    assert!(
        reqwest_proxy.contains("api.ctrl-hub.com"),
        "{reqwest_proxy}"
    );
    assert!(
        reqwest_proxy.contains("Https("),
        "https only: {reqwest_proxy}"
    );

    let lower = https_proxy(
        &ProxyChoice::FromEnv,
        env(&[
            ("HTTPS_PROXY", "http://proxy.example:3128"),
            ("no_proxy", "api.ctrl-hub.dev"),
        ]),
    )
    .unwrap()
    .unwrap();
    assert_eq!(lower.exclusions.as_deref(), Some("api.ctrl-hub.dev"));
}

#[test]
fn a_bare_host_and_port_is_an_http_proxy() {
    let url = checked_proxy_url("proxy.example:3128", "proxy").unwrap();
    assert_eq!(url.as_str(), "http://proxy.example:3128/");
    let url = checked_proxy_url(" https://proxy.example ", "proxy").unwrap();
    assert_eq!(url.as_str(), "https://proxy.example/");
}

#[test]
fn a_bad_proxy_is_refused_naming_where_it_came_from_and_never_its_password() {
    let (field, reason) = refused(https_proxy(
        &ProxyChoice::FromEnv,
        env(&[("ALL_PROXY", "socks5://user:hunter2@proxy.example:1080")]),
    ));
    assert_eq!(field, "ALL_PROXY");
    assert!(reason.contains("socks5://proxy.example:1080"), "{reason}");
    assert!(reason.contains("SOCKS is not supported"), "{reason}");
    assert!(
        !reason.contains("hunter2") && !reason.contains("user"),
        "{reason}"
    );

    let (field, reason) = refused(https_proxy(
        &ProxyChoice::Url("http://user:hunter2@proxy.example:3128/path?x=1".into()),
        env(&[]),
    ));
    assert_eq!(field, "proxy");
    assert!(
        reason.contains("`http://proxy.example:3128` must not have a path, query or fragment"),
        "{reason}"
    );
    assert!(!reason.contains("hunter2"), "{reason}");

    for text in ["http://proxy.example:3128?x", "http://proxy.example:3128#x"] {
        let (_, reason) = refused(checked_proxy_url(text, "proxy"));
        assert!(reason.contains("must not have"), "{text}: {reason}");
    }
    let (_, reason) = refused(checked_proxy_url("http://:3128", "proxy"));
    assert!(reason.contains("is not a proxy URL"), "{reason}");
    let (_, reason) = refused(checked_proxy_url("file:///etc/proxy", "proxy"));
    assert!(reason.contains("`file://` must be an http"), "{reason}");
    let (_, reason) = refused(checked_proxy_url("http://[::1", "proxy"));
    assert!(reason.contains("is not a proxy URL"), "{reason}");
}

#[test]
fn a_proxy_set_in_code_is_shown_without_its_credentials() {
    let shown = format!(
        "{:?}",
        ProxyChoice::Url("http://user:hunter2@proxy.example:3128".into())
    );
    assert_eq!(shown, r#"Url(Some("http://proxy.example:3128/"))"#);
    assert_eq!(format!("{:?}", ProxyChoice::FromEnv), "FromEnv");
    assert_eq!(format!("{:?}", ProxyChoice::None), "None");
}

#[test]
fn the_user_agent_is_this_crate_then_the_suffix() {
    assert_eq!(user_agent(None).unwrap(), USER_AGENT);
    assert!(USER_AGENT.starts_with("ctrlhub-rust/0."), "{USER_AGENT}");
    assert_eq!(
        user_agent(Some(" billing-sync/2.1 (ops@example.com) ")).unwrap(),
        format!("{USER_AGENT} billing-sync/2.1 (ops@example.com)").as_str()
    );
    for bad in ["", "   ", "app/1\r\nX-Injected: 1", "app/1\u{e9}", "app\t1"] {
        let (field, _) = refused(user_agent(Some(bad)));
        assert_eq!(field, "user_agent_suffix", "{bad:?}");
    }
    let (_, reason) = refused(user_agent(Some("app/1\nX: y")));
    assert!(reason.contains(r"'\n'"), "{reason}");
    let (_, reason) = refused(user_agent(Some("  ")));
    assert_eq!(reason, "is empty");
}

#[test]
fn root_certificates_are_checked_and_named_by_position() {
    assert!(root_certificates(&[]).unwrap().is_empty());
    let (field, reason) = refused(root_certificates(&[RootCertificate::Pem(
        b"not a certificate".to_vec(),
    )]));
    assert_eq!(field, "root_certificates[0]");
    assert!(reason.contains("no PEM `CERTIFICATE` block"), "{reason}");

    let (field, reason) = refused(root_certificates(&[
        RootCertificate::Der(vec![0x30, 0x03, 0x02, 0x01, 0x01]),
        RootCertificate::Der(b"-----BEGIN CERTIFICATE-----".to_vec()),
    ]));
    assert_eq!(field, "root_certificates[1]");
    assert!(reason.contains("not a DER certificate"), "{reason}");
    let (field, _) = refused(root_certificates(&[RootCertificate::Der(Vec::new())]));
    assert_eq!(field, "root_certificates[0]");

    let (field, reason) = refused(root_certificates(&[RootCertificate::Pem(
        b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n".to_vec(),
    )]));
    assert_eq!(field, "root_certificates[0]");
    assert!(reason.contains("PEM"), "{reason}");

    assert_eq!(
        format!("{:?}", RootCertificate::Pem(vec![1, 2, 3])),
        "Pem(3 bytes)"
    );
    assert_eq!(
        format!("{:?}", RootCertificate::Der(vec![1])),
        "Der(1 bytes)"
    );
}

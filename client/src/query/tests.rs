use super::*;

fn features(filter: &[&str], sort: &[&str], include: &[&str]) -> Features {
    let owned = |options: &[&str]| options.iter().map(|o| (*o).to_owned()).collect();
    Features {
        include: owned(include),
        sort: owned(sort),
        filter: owned(filter),
    }
}

fn used(filters: &[&str], sort: Option<&str>, include: &[&'static str]) -> UsedOptions {
    let mut query = ListQuery::default();
    for field in filters {
        query.filter((*field).to_owned(), "x".to_owned());
    }
    if let Some(field) = sort {
        query.sort(field.to_owned(), SortDirection::Descending);
    }
    query.include(include.iter().copied());
    query.used()
}

fn refused(result: Result<(), Error>) -> (&'static str, String, Vec<String>) {
    match result {
        Err(Error::Unsupported(e)) => (e.parameter, e.option, e.supported),
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

#[test]
fn an_option_the_answer_does_not_name_is_refused_naming_the_supported_ones() {
    let reported = features(
        &["method", "created_at.since"],
        &["-date_time"],
        &["contact"],
    );
    assert!(
        used(&["method"], Some("date_time"), &["contact"])
            .check(&reported)
            .is_ok()
    );
    // A filter name is matched exactly.
    assert_eq!(
        refused(used(&["methd"], None, &[]).check(&reported)),
        (
            "filter",
            "methd".to_owned(),
            vec!["method".to_owned(), "created_at.since".to_owned()]
        )
    );
    assert!(
        used(&["created_at.since"], None, &[])
            .check(&reported)
            .is_ok()
    );
    assert_eq!(
        refused(used(&["created_at"], None, &[]).check(&reported)).1,
        "created_at"
    );
    // A sort is matched without its `-`, on either side.
    assert_eq!(
        refused(used(&[], Some("method"), &[]).check(&reported)).0,
        "sort"
    );
    assert_eq!(
        refused(used(&[], None, &["author"]).check(&reported)),
        ("include", "author".to_owned(), vec!["contact".to_owned()])
    );
}

#[test]
fn options_not_reported_check_nothing() {
    let silent = features(&[], &[], &[]);
    assert!(
        used(&["anything"], Some("at_all"), &["author"])
            .check(&silent)
            .is_ok()
    );
    // Reported for one parameter only: the others are not checked.
    let filters_only = features(&["method"], &[], &[]);
    assert!(
        used(&["method"], Some("whatever"), &["author"])
            .check(&filters_only)
            .is_ok()
    );
}

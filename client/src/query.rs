//! The settings every list request shares (page size, start, sort, filters, includes),
//! checked the same way for every resource before anything is sent.

use std::collections::BTreeMap;

use crate::error::{Error, UnsupportedOption};
use crate::jsonapi::Filters;
use crate::pages::Features;

/// The order of a sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortDirection {
    /// Smallest first (`sort=field`).
    Ascending,
    /// Largest first (`sort=-field`).
    Descending,
}

/// A list request's settings, as the caller gave them.
#[derive(Debug, Clone, Default)]
pub(crate) struct ListQuery {
    pub(crate) limit: Option<u32>,
    pub(crate) offset: Option<u64>,
    sort: Option<(String, SortDirection)>,
    filters: BTreeMap<String, String>,
    include: Vec<&'static str>,
}

/// The filter, sort and include options a list request used, to check against what the
/// answer's `meta.features` says the endpoint supports.
#[derive(Debug, Clone, Default)]
pub(crate) struct UsedOptions {
    filters: Vec<String>,
    sort: Option<String>,
    include: Vec<&'static str>,
}

impl UsedOptions {
    /// [`Error::Unsupported`] for the first option `features` reports and does not name.
    /// A sort is matched without its `-`, a filter name exactly (`created_at.since` is its
    /// own option), and an empty list of options means "not reported": it checks nothing.
    pub(crate) fn check(&self, features: &Features) -> Result<(), Error> {
        let used_filters = self.filters.iter().map(String::as_str);
        supported("filter", used_filters, &features.filter)?;
        supported("sort", self.sort.as_deref().into_iter(), &features.sort)?;
        supported("include", self.include.iter().copied(), &features.include)
    }
}

fn supported<'a>(
    parameter: &'static str,
    mut used: impl Iterator<Item = &'a str>,
    options: &[String],
) -> Result<(), Error> {
    let named = |option: &str| options.iter().any(|o| o.trim_start_matches('-') == option);
    match used.find(|option| !options.is_empty() && !named(option)) {
        Some(option) => Err(Error::Unsupported(UnsupportedOption {
            parameter,
            option: option.to_owned(),
            supported: options.to_vec(),
        })),
        None => Ok(()),
    }
}

/// A list request's parameters, checked and ready to send.
#[doc(hidden)]
#[derive(Debug, Clone, Default)]
pub struct ListParams {
    pub(crate) limit: Option<std::num::NonZeroU32>,
    pub(crate) filter: Option<Filters>,
    pub(crate) sort: Option<String>,
    pub(crate) include: Option<String>,
}

impl ListQuery {
    pub(crate) fn sort(&mut self, field: String, direction: SortDirection) {
        self.sort = Some((field, direction));
    }

    pub(crate) fn filter(&mut self, field: String, value: String) {
        self.filters.insert(field, value);
    }

    pub(crate) fn include(&mut self, names: impl IntoIterator<Item = &'static str>) {
        self.include.extend(names);
    }

    /// The filter, sort and include options this request uses.
    pub(crate) fn used(&self) -> UsedOptions {
        UsedOptions {
            filters: self.filters.keys().cloned().collect(),
            sort: self.sort.as_ref().map(|(field, _)| field.clone()),
            include: self.include.clone(),
        }
    }

    /// Checks the settings; a bad one is an [`Error::InvalidInput`] naming it.
    pub(crate) fn params(&self) -> Result<ListParams, Error> {
        let limit = match self.limit {
            None => None,
            Some(limit) => Some(
                std::num::NonZeroU32::new(limit)
                    .ok_or_else(|| Error::invalid_input("limit", "must be at least 1"))?,
            ),
        };
        let mut filter = Filters::new();
        for (field, value) in &self.filters {
            check_field_name("filter", field)?;
            filter.insert(field, value);
        }
        let sort = match &self.sort {
            None => None,
            Some((field, direction)) => {
                check_field_name("sort", field)?;
                Some(match direction {
                    SortDirection::Ascending => field.clone(),
                    SortDirection::Descending => format!("-{field}"),
                })
            }
        };
        Ok(ListParams {
            limit,
            filter: (!filter.is_empty()).then_some(filter),
            sort,
            include: include_param(&self.include),
        })
    }
}

/// The comma-separated `include` value, each name once, in a stable order.
pub(crate) fn include_param(names: &[&str]) -> Option<String> {
    let mut names = names.to_vec();
    names.sort_unstable();
    names.dedup();
    (!names.is_empty()).then(|| names.join(","))
}

/// Field names go into a parameter name, so they are kept to what Ctrl Hub uses:
/// letters, digits, `_`, `.` and `-` (as in `created_at.since`).
fn check_field_name(setting: &str, field: &str) -> Result<(), Error> {
    let ok = !field.is_empty()
        && field
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && !field.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(
            setting,
            format!("`{field}` is not a field name (letters, digits, `_`, `.`, `-`)"),
        ))
    }
}

#[cfg(test)]
mod tests;

//! The knobs a test turns on a running fake to play one server or another where the docs
//! leave it open: what a PUT does, which attributes a create requires, how lists page and
//! treat options they do not support, how slow lists and creates are.

use serde_json::{Value, json};

use crate::FakeCtrlHub;
use crate::state::lock;

/// What a PUT does with the updatable attributes it leaves out. The reference does not
/// say, so the fake can play either answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UpdateSemantics {
    /// Attributes left out keep their values.
    #[default]
    Merge,
    /// The updatable attributes become exactly those sent: one left out is cleared.
    Replace,
}

/// What a PUT, or a create of an interaction, does with an attribute the spec does not
/// name (one the fake holds, see [`FakeCtrlHub::hold_unnamed_attribute`]). The reference
/// does not say, so the fake can play either server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UnnamedOnPut {
    /// Refused with the documented 400 naming it, as the spec's closed request says.
    #[default]
    Refuse,
    /// Taken like an updatable attribute (and, under [`UpdateSemantics::Replace`],
    /// cleared by a PUT that leaves it out).
    Accept,
}

/// The attributes the fake requires on create unless told otherwise: an assumption (the
/// reference does not say which are required), see [`FakeCtrlHub::require_on_create`].
pub const DEFAULT_REQUIRED_ON_CREATE: &[&str] = &["method", "direction", "date_time"];

impl FakeCtrlHub {
    /// What PUTs do with the updatable attributes they leave out from now on (default
    /// [`UpdateSemantics::Merge`]).
    pub fn set_update_semantics(&self, semantics: UpdateSemantics) {
        *lock(&self.inner.update_semantics) = semantics;
    }

    /// Plays a server that knows an attribute the spec does not name: every interaction and
    /// contact stored now gets `name` set to `value` (in its answers, too), and a PUT (or
    /// an interaction's create) that carries it is refused or taken as `on_put` says.
    pub fn hold_unnamed_attribute(&self, name: &str, value: Value, on_put: UnnamedOnPut) {
        for store in [&self.inner.interactions, &self.inner.contacts] {
            for resource in lock(store).iter_mut() {
                if !resource["attributes"].is_object() {
                    resource["attributes"] = json!({});
                }
                resource["attributes"][name] = value.clone();
            }
        }
        let mut unnamed = lock(&self.inner.unnamed);
        unnamed.retain(|(held, _)| held != name);
        unnamed.push((name.to_owned(), on_put));
    }

    /// Plays a server that knows a relationship the spec does not name: every resource
    /// stored now (interactions, contacts, customer accounts, members) gets the
    /// relationship `name` set to `value` (a relationship object), in its answers too.
    pub fn hold_unnamed_relationship(&self, name: &str, value: Value) {
        let inner = &self.inner;
        for store in [
            &inner.interactions,
            &inner.contacts,
            &inner.accounts,
            &inner.members,
        ] {
            for resource in lock(store).iter_mut() {
                if !resource["relationships"].is_object() {
                    resource["relationships"] = json!({});
                }
                resource["relationships"][name] = value.clone();
            }
        }
    }

    /// Plays a server whose lists ignore a filter or sort outside the features they report
    /// (answering with everything, unfiltered), instead of refusing it with a 400 (the
    /// default: stricter than a lax server, so that a misspelt option fails a test).
    pub fn ignore_unsupported_options(&self, ignore: bool) {
        *lock(&self.inner.ignore_unsupported) = ignore;
    }

    /// The attributes a create must carry from now on. Which ones Ctrl Hub requires is
    /// not documented (it answers 400 naming a missing one): the default,
    /// [`DEFAULT_REQUIRED_ON_CREATE`], is an assumption, and `&[]` plays the other answer.
    pub fn require_on_create(&self, attributes: &[&str]) {
        *lock(&self.inner.required_on_create) = attributes.iter().map(|s| s.to_string()).collect();
    }

    /// The most items a list page holds from now on, whatever the request asks (`None`: as
    /// asked). The page still reports the requested limit, and `offsets.next` follows
    /// what was served: as a server that caps page sizes, or a list that changed, would.
    pub fn set_max_page_size(&self, size: Option<usize>) {
        lock(&self.inner.paging).max_page_size = size;
    }

    /// Makes lists lag behind creates by `lag` from now on (default none): an interaction
    /// created less than `lag` ago (by its `meta.created_at`) is stored and can be fetched,
    /// but no list shows it yet, as a lagging read replica would.
    pub fn set_list_lag(&self, lag: std::time::Duration) {
        lock(&self.inner.paging).lag = lag;
    }

    /// Stores `resource` as an interaction exactly as given (its `id`, `attributes`,
    /// `relationships` and `meta.created_at`): one that existed before the code under test
    /// ran, such as an identical interaction recorded by someone else an hour ago.
    pub fn insert_interaction(&self, resource: Value) {
        lock(&self.inner.interactions).push(resource);
    }

    /// How long each list answer takes from now on (default none), to measure a client
    /// against network latency on loopback.
    pub fn set_list_delay(&self, delay: std::time::Duration) {
        lock(&self.inner.paging).delay = delay;
    }

    /// Makes every create take `delay` before the interaction is stored (a slow service);
    /// a client that gives up first leaves nothing stored.
    pub fn set_create_delay(&self, delay: std::time::Duration) {
        *lock(&self.inner.create_delay) = delay;
    }
}

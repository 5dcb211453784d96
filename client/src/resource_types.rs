//! JSON:API type strings. The typed API fills them in; users never write them. All but
//! the interaction's come from Ctrl Hub's TypeScript SDK (`x-ctrlhub-source: sdk`).

pub(crate) const INTERACTION: &str = "customer-interactions";
pub(crate) const CONTACT: &str = "contacts";
pub(crate) const CUSTOMER_ACCOUNT: &str = "customer-accounts";
pub(crate) const PROPERTY: &str = "properties";
pub(crate) const USER: &str = "users";

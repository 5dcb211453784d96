//! JSON:API type strings of relationship targets. The typed API fills them in; users never
//! write them. They come from Ctrl Hub's TypeScript SDK (`x-ctrlhub-target` in the spec).

pub(crate) const CONTACT: &str = "contacts";
pub(crate) const CUSTOMER_ACCOUNT: &str = "customer-accounts";
pub(crate) const PROPERTY: &str = "properties";
pub(crate) const USER: &str = "users";

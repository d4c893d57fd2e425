//! What a request asks for, read from its document before it runs: which kind of
//! operation it selects (the WebSocket serves subscriptions only; a READ token may not
//! mutate), and how many authentication fields it holds (one per HTTP request, so
//! aliases and batches cannot multiply password guesses).

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};

/// The fields that check a password or create an account.
pub const AUTH_FIELDS: &[&str] = &[
    "logIn",
    "signUp",
    "changePassword",
    "acceptInvite",
    "deleteAccount",
];

/// What one request's document holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inspected {
    /// The kind of the operation the request selects; `None` when the document does
    /// not say which (execution then reports the error).
    pub kind: Option<OperationType>,
    /// How many [`AUTH_FIELDS`] the whole document names (aliases and fragments
    /// included).
    pub auth_fields: usize,
}

/// Reads `query`; `None` when it does not parse (execution reports the syntax error
/// and runs nothing).
pub fn inspect(query: &str, operation_name: Option<&str>) -> Option<Inspected> {
    let doc = async_graphql::parser::parse_query(query).ok()?;
    Some(Inspected {
        kind: selected_kind(&doc, operation_name),
        auth_fields: count_auth_fields(&doc),
    })
}

fn selected_kind(doc: &ExecutableDocument, operation_name: Option<&str>) -> Option<OperationType> {
    match (&doc.operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, op)| op.node.ty),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| op.node.ty)
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

fn count_auth_fields(doc: &ExecutableDocument) -> usize {
    let in_operations: usize = doc
        .operations
        .iter()
        .map(|(_, op)| count_in(&op.node.selection_set.node))
        .sum();
    let in_fragments: usize = doc
        .fragments
        .values()
        .map(|f| count_in(&f.node.selection_set.node))
        .sum();
    in_operations + in_fragments
}

fn count_in(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) => {
                let own = usize::from(AUTH_FIELDS.contains(&field.node.name.node.as_str()));
                own + count_in(&field.node.selection_set.node)
            }
            Selection::InlineFragment(inline) => count_in(&inline.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_inline_fragments_and_named_fragments_all_count() {
        let q = r#"mutation {
            a: logIn(input: {email: "x", password: "1"}) { token }
            ... on MutationRoot { b: logIn(input: {email: "x", password: "2"}) { token } }
            ...more
        }
        fragment more on MutationRoot { signUp(input: {}) { token } }"#;
        let found = inspect(q, None).unwrap();
        assert_eq!(found.auth_fields, 3);
        assert_eq!(found.kind, Some(OperationType::Mutation));
    }

    #[test]
    fn the_selected_operation_decides_the_kind() {
        let q = "query A { business { id } } mutation B { logOut }";
        assert_eq!(
            inspect(q, Some("A")).unwrap().kind,
            Some(OperationType::Query)
        );
        assert_eq!(
            inspect(q, Some("B")).unwrap().kind,
            Some(OperationType::Mutation)
        );
        assert_eq!(inspect(q, None).unwrap().kind, None);
        assert_eq!(
            inspect("subscription { chatUpdated { id } }", None)
                .unwrap()
                .kind,
            Some(OperationType::Subscription)
        );
        assert!(inspect("mutation {", None).is_none());
    }
}

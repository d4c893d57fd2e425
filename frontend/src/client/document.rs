//! One operation cut out of a domain's document.
//!
//! The documents under `frontend/graphql/` hold all of a domain's operations and write each
//! fragment once; `graphql_client` embeds the whole text in every operation it generates.
//! What goes over the wire is only the operation being sent and the fragments it uses,
//! directly or through other fragments: the same single-operation document the API always
//! received, so its depth and complexity limits see nothing else.

use graphql_client::GraphQLQuery;
use serde::Serialize;

/// A request body: `query`, `operationName` and `variables` (GraphQL over HTTP, and the
/// `payload` of a `graphql-transport-ws` subscribe message).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RequestBody<V> {
    /// The variables of the operation.
    pub variables: V,
    /// The operation and its fragments.
    pub query: String,
    /// The operation's name in the document.
    pub operation_name: &'static str,
}

/// The body that sends `Q` with `variables`.
pub(super) fn request_body<Q: GraphQLQuery>(variables: Q::Variables) -> RequestBody<Q::Variables> {
    let generated = Q::build_query(variables);
    RequestBody {
        query: operation_text(generated.query, generated.operation_name),
        operation_name: generated.operation_name,
        variables: generated.variables,
    }
}

/// One top-level definition of a document.
#[derive(Debug, Clone, Copy)]
struct Definition<'a> {
    /// `query`, `mutation`, `subscription` or `fragment`.
    kind: &'a str,
    /// The operation's or fragment's name.
    name: &'a str,
    /// Its text, from the keyword to the closing brace.
    text: &'a str,
}

/// Where the line holding byte `i` ends (the end of a `#` comment).
fn line_end(bytes: &[u8], i: usize) -> usize {
    bytes[i..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |n| i + n)
}

/// The top-level definitions of `document`, in order (comments between them dropped).
fn definitions(document: &str) -> Vec<Definition<'_>> {
    let bytes = document.as_bytes();
    let mut definitions = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                i = line_end(bytes, i);
                continue;
            }
            byte if byte.is_ascii_whitespace() || byte == b',' => {
                i += 1;
                continue;
            }
            _ => {}
        }
        let start = i;
        let mut depth = 0usize;
        let mut opened = false;
        while i < bytes.len() {
            match bytes[i] {
                b'#' => {
                    i = line_end(bytes, i);
                    continue;
                }
                b'"' => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                }
                b'{' => {
                    depth += 1;
                    opened = true;
                }
                b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            i += 1;
            if opened && depth == 0 {
                break;
            }
        }
        let text = &document[start..i.min(bytes.len())];
        let header = text.split('{').next().unwrap_or_default();
        let mut words = header
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|word| !word.is_empty());
        definitions.push(Definition {
            kind: words.next().unwrap_or_default(),
            name: words.next().unwrap_or_default(),
            text,
        });
    }
    definitions
}

/// The fragments `text` spreads (`...Name`; inline fragments `... on Type` are not named).
fn spreads(text: &str) -> Vec<&str> {
    text.split("...")
        .skip(1)
        .filter_map(|rest| {
            let rest = rest.trim_start();
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let name = &rest[..end];
            (!name.is_empty() && name != "on").then_some(name)
        })
        .collect()
}

/// The operation `operation` of `document` with the fragments it uses, in document order
/// (the whole document when it has no such operation).
fn operation_text(document: &str, operation: &str) -> String {
    let definitions = definitions(document);
    let Some(selected) = definitions
        .iter()
        .find(|d| d.kind != "fragment" && d.name == operation)
    else {
        return document.to_string();
    };
    let mut used: Vec<&str> = Vec::new();
    let mut pending = spreads(selected.text);
    while let Some(name) = pending.pop() {
        if used.contains(&name) {
            continue;
        }
        used.push(name);
        if let Some(fragment) = definitions
            .iter()
            .find(|d| d.kind == "fragment" && d.name == name)
        {
            pending.extend(spreads(fragment.text));
        }
    }
    let fragments = definitions
        .iter()
        .filter(|d| d.kind == "fragment" && used.contains(&d.name))
        .map(|d| d.text);
    std::iter::once(selected.text)
        .chain(fragments)
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::super::operations;
    use super::{definitions, operation_text, spreads};

    /// Checks that the text sent for one generated operation is that operation alone, with
    /// exactly the fragments it spreads.
    fn check(query: &str, operation: &str) {
        let text = operation_text(query, operation);
        let parts = definitions(&text);
        let operations: Vec<_> = parts.iter().filter(|d| d.kind != "fragment").collect();
        assert_eq!(operations.len(), 1, "{operation}: {text}");
        assert_eq!(operations[0].name, operation);
        let spread: Vec<&str> = parts.iter().flat_map(|d| spreads(d.text)).collect();
        for fragment in parts.iter().filter(|d| d.kind == "fragment") {
            assert!(
                spread.contains(&fragment.name),
                "{operation}: unused {}",
                fragment.name
            );
        }
        for name in &spread {
            assert!(
                parts
                    .iter()
                    .any(|d| d.kind == "fragment" && d.name == *name),
                "{operation}: {name} missing"
            );
        }
    }

    macro_rules! check_all {
        ($($module:ident),+ $(,)?) => {$(
            check(operations::$module::QUERY, operations::$module::OPERATION_NAME);
        )+};
    }

    #[test]
    fn every_operation_is_sent_alone_with_its_fragments() {
        check_all! {
            sign_up, log_in, accept_invite, log_out, me, current_business, update_business,
            team, invite_staff, revoke_staff_invite, remove_staff, submit_contact_form,
            products, product, create_product, update_product, delete_product,
            add_product_images, remove_product_image, archive_product, unarchive_product,
            chats, chat, mark_chat_read, set_chat_ai_paused, chat_updated,
            messages, send_message, send_attachment, send_template, message_added, message_status_changed,
            whats_app_settings, connect_whats_app, disconnect_whats_app,
            ai_settings, set_anthropic_key, clear_anthropic_key, update_ai_settings,
            preview_ai_reply,
            blacklist, add_to_blacklist, remove_from_blacklist, blacklist_changed,
        }
    }

    #[test]
    fn nested_fragments_come_along_in_document_order() {
        let document = "# comment\nquery A { a { ...X } }\n\nquery B { b }\n\n\
                        fragment Y on T { y }\n\nfragment X on T { x { ...Y } ... on U { u } }\n";
        assert_eq!(
            operation_text(document, "A"),
            "query A { a { ...X } }\n\nfragment Y on T { y }\n\n\
             fragment X on T { x { ...Y } ... on U { u } }"
        );
        assert_eq!(operation_text(document, "B"), "query B { b }");
    }
}

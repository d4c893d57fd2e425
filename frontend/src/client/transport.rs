//! Sending operations over HTTP: JSON bodies, and multipart bodies for file uploads
//! (the GraphQL multipart request spec).

use gloo_net::http::{Request, RequestBuilder, Response};
use graphql_client::GraphQLQuery;
use serde_json::{Map, Value, json};
use web_sys::{File, FormData};

use super::ClientError;
use super::document::request_body;

/// The API endpoint: same origin as the dashboard.
const ENDPOINT: &str = "/graphql";

/// A POST to the endpoint, with the bearer token when there is one.
fn post(token: Option<&str>) -> RequestBuilder {
    let request = Request::post(ENDPOINT);
    match token {
        Some(token) => request.header("Authorization", &format!("Bearer {token}")),
        None => request,
    }
}

/// Sends `Q` with `variables` as a JSON body and returns its data.
pub(super) async fn send<Q: GraphQLQuery>(
    token: Option<&str>,
    variables: Q::Variables,
) -> Result<Q::ResponseData, ClientError> {
    let request = post(token)
        .json(&request_body::<Q>(variables))
        .map_err(|err| ClientError::Protocol(err.to_string()))?;
    let response = request
        .send()
        .await
        .map_err(|err| ClientError::Network(err.to_string()))?;
    decode::<Q>(response).await
}

/// Files for one upload variable: its name in the operation and its file(s).
pub(super) enum Uploads<'a> {
    /// An `[Upload!]` variable: one slot per file, in order.
    List {
        /// The variable name in the operation (`images`).
        variable: &'static str,
        /// The files.
        files: &'a [File],
    },
    /// An `Upload!` variable.
    One {
        /// The variable name in the operation (`file`).
        variable: &'static str,
        /// The file.
        file: &'a File,
    },
}

/// Sends `Q` as a multipart request (GraphQL multipart request spec): the `operations` part
/// is the ordinary JSON body with each upload slot set to `null`, `map` tells the server
/// which file part fills which slot, and the files follow as parts `0`, `1`, ...
///
/// The browser sets the `multipart/form-data` content type and boundary itself.
pub(super) async fn send_with_uploads<Q: GraphQLQuery>(
    token: Option<&str>,
    variables: Q::Variables,
    uploads: &[Uploads<'_>],
) -> Result<Q::ResponseData, ClientError> {
    let mut operations = serde_json::to_value(request_body::<Q>(variables))
        .map_err(|err| ClientError::Protocol(err.to_string()))?;
    let mut map = Map::new();
    let mut parts: Vec<(String, &File)> = Vec::new();
    for upload in uploads {
        let slots: Vec<(String, &File)> = match upload {
            Uploads::List { variable, files } => {
                operations["variables"][*variable] = Value::Array(vec![Value::Null; files.len()]);
                files
                    .iter()
                    .enumerate()
                    .map(|(slot, file)| (format!("variables.{variable}.{slot}"), file))
                    .collect()
            }
            Uploads::One { variable, file } => {
                operations["variables"][*variable] = Value::Null;
                vec![(format!("variables.{variable}"), *file)]
            }
        };
        for (slot, file) in slots {
            let part = parts.len().to_string();
            map.insert(part.clone(), json!([slot]));
            parts.push((part, file));
        }
    }

    let js_error = |err: wasm_bindgen::JsValue| ClientError::Protocol(format!("{err:?}"));
    let form = FormData::new().map_err(js_error)?;
    form.append_with_str("operations", &operations.to_string())
        .map_err(js_error)?;
    form.append_with_str("map", &Value::Object(map).to_string())
        .map_err(js_error)?;
    for (part, file) in parts {
        form.append_with_blob_and_filename(&part, file, &file.name())
            .map_err(js_error)?;
    }

    let response = post(token)
        .body(form)
        .map_err(|err| ClientError::Protocol(err.to_string()))?
        .send()
        .await
        .map_err(|err| ClientError::Network(err.to_string()))?;
    decode::<Q>(response).await
}

/// Reads a GraphQL response: its data, or the first error it carries.
async fn decode<Q: GraphQLQuery>(response: Response) -> Result<Q::ResponseData, ClientError> {
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|err| ClientError::Network(err.to_string()))?;
    let body: graphql_client::Response<Q::ResponseData> = match serde_json::from_str(&text) {
        Ok(body) => body,
        Err(err) if (200..300).contains(&status) => {
            return Err(ClientError::Protocol(err.to_string()));
        }
        Err(_) => return Err(ClientError::from_status(status)),
    };
    if let Some(error) = body.errors.as_deref().and_then(<[_]>::first) {
        return Err(ClientError::from_graphql(error));
    }
    body.data
        .ok_or_else(|| ClientError::Protocol("a response without data or errors".into()))
}

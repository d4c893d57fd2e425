//! `wasales reencrypt`: rewrites every secret at rest (the businesses' own Anthropic
//! keys, the connections' Meta access tokens and registration pins) under the current `DATA_KEY`, bound to
//! its row. It reads what `DATA_KEY` or `DATA_KEY_PREVIOUS` sealed, in the current
//! format or the older one (no key id, no row binding), so a rotation is: set the new
//! key as `DATA_KEY` and the old one as `DATA_KEY_PREVIOUS`, restart, run this, then
//! drop `DATA_KEY_PREVIOUS`. Running it again changes nothing.

use crate::app::App;
use crate::crypto::{self, SealedFor};
use crate::db::sealed;

/// What a run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// The current key's id (hex), as sealed values name it.
    pub key_id: String,
    /// Secrets rewritten under the current key.
    pub rewritten: usize,
    /// Secrets already sealed in the current format under the current key.
    pub current: usize,
    /// Secrets no configured key opens (left as they are), as `table #id`.
    pub unreadable: Vec<String>,
    /// Secrets changed by someone else while this ran (left to that change).
    pub skipped: usize,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} secrets re-encrypted under DATA_KEY (key id {}), {} already current, {} changed meanwhile",
            self.rewritten, self.key_id, self.current, self.skipped
        )?;
        if !self.unreadable.is_empty() {
            write!(
                f,
                "; {} cannot be opened with DATA_KEY or DATA_KEY_PREVIOUS: {}",
                self.unreadable.len(),
                self.unreadable.join(", ")
            )?;
        }
        Ok(())
    }
}

/// Re-encrypts every secret at rest under the current key (module docs).
pub async fn reencrypt_all(app: &App) -> anyhow::Result<Report> {
    let keys = app.config.data_keys();
    let mut report = Report {
        key_id: hex::encode(crypto::key_id(&app.config.data_key)),
        ..Report::default()
    };
    let mut conn = app.db().await?;
    for (business_id, old) in sealed::anthropic_keys(&mut conn).await? {
        let owner = SealedFor::anthropic_key(business_id);
        match crypto::decrypt(&keys, &old, &owner) {
            None => report.unreadable.push(format!("businesses #{business_id}")),
            Some(opened) if opened.current => report.current += 1,
            Some(opened) => {
                let new = crypto::encrypt(&app.config.data_key, &opened.plaintext, &owner);
                if sealed::replace_anthropic_key(&mut conn, business_id, &old, &new).await? {
                    report.rewritten += 1;
                } else {
                    report.skipped += 1;
                }
            }
        }
    }
    for (connection_id, phone_number_id, old) in sealed::access_tokens(&mut conn).await? {
        let owner = SealedFor::access_token(&phone_number_id);
        match crypto::decrypt(&keys, &old, &owner) {
            None => report
                .unreadable
                .push(format!("whatsapp_connections #{connection_id}")),
            Some(opened) if opened.current => report.current += 1,
            Some(opened) => {
                let new = crypto::encrypt(&app.config.data_key, &opened.plaintext, &owner);
                if sealed::replace_access_token(&mut conn, connection_id, &old, &new).await? {
                    report.rewritten += 1;
                } else {
                    report.skipped += 1;
                }
            }
        }
    }
    for (connection_id, phone_number_id, old) in sealed::registration_pins(&mut conn).await? {
        let owner = SealedFor::registration_pin(&phone_number_id);
        match crypto::decrypt(&keys, &old, &owner) {
            None => report
                .unreadable
                .push(format!("whatsapp_connections #{connection_id} (pin)")),
            Some(opened) if opened.current => report.current += 1,
            Some(opened) => {
                let new = crypto::encrypt(&app.config.data_key, &opened.plaintext, &owner);
                if sealed::replace_registration_pin(&mut conn, connection_id, &old, &new).await? {
                    report.rewritten += 1;
                } else {
                    report.skipped += 1;
                }
            }
        }
    }
    tracing::info!(
        rewritten = report.rewritten,
        current = report.current,
        unreadable = report.unreadable.len(),
        "secrets at rest re-encrypted"
    );
    Ok(report)
}

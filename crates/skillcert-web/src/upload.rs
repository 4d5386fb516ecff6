//! Reading `multipart/form-data` uploads the same way everywhere: one file field `file` and
//! any number of text fields. A broken upload is our `bad-upload` error, never axum's text.

use axum::extract::Multipart;

use crate::error::WebError;

/// A submitted multipart form.
#[derive(Debug, Default)]
pub struct Upload {
    /// The `file` field: its file name (`upload` when the browser gave none) and bytes.
    pub file: Option<(String, Vec<u8>)>,
    /// Every other field as text, in order.
    pub fields: Vec<(String, String)>,
}

impl Upload {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A flag: present and not empty, `0`, `false`, `no` or `off`.
    pub fn flag(&self, name: &str) -> bool {
        self.field(name)
            .is_some_and(|v| !matches!(v.trim(), "" | "0" | "false" | "no" | "off"))
    }

    /// The file when one with content was sent.
    pub fn take_file(&mut self) -> Option<(String, Vec<u8>)> {
        self.file.take().filter(|(_, b)| !b.is_empty())
    }
}

/// Reads the whole form.
pub async fn read(
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Upload, WebError> {
    let bad = |_| WebError::BadRequest("bad-upload");
    let mut mp = mp.map_err(|_| WebError::BadRequest("bad-upload"))?;
    let mut out = Upload::default();
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("upload").to_string();
            let bytes = field.bytes().await.map_err(bad)?;
            out.file = Some((file_name, bytes.to_vec()));
        } else {
            let bytes = field.bytes().await.map_err(bad)?;
            out.fields
                .push((name, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    Ok(out)
}

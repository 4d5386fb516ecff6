//! Demo training data: records.

use skillcert_domain::demo::DemoOrg;

use crate::{App, AppResult};

/// Loads this area's demo records through the services.
pub(crate) async fn load(_app: &App, _demo: &DemoOrg) -> AppResult<()> {
    Ok(())
}

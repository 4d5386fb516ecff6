//! The demo's training records, made through the real services: a needs survey with answers,
//! this year's plan with sessions (attended, today's, upcoming), homework, mentors and
//! follow-ups, external training and the compliance picture.

mod hours;
mod needs;
mod records;
mod sessions;

use skillcert_domain::demo::DemoOrg;

use crate::{App, AppResult};

/// Loads every area in order: sessions before the records that hang off them.
pub(crate) async fn load(app: &App, demo: &DemoOrg) -> AppResult<()> {
    needs::load(app, demo).await?;
    sessions::load(app, demo).await?;
    records::load(app, demo).await?;
    hours::load(app, demo).await?;
    Ok(())
}

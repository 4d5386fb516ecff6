//! Training queries written with the services of issue 7, one module per area.

pub mod hours;
pub mod needs;
pub mod records;
pub mod sessions;

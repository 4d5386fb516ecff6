//! `sqlx::migrate!` embeds the migration files at compile time; this makes a new or changed
//! migration rebuild the crate (stable Rust cannot track the directory from the macro).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}

//! `skillcert certificate list|export` and `skillcert issuer show|rotate`: the certificate
//! register and the issuer keys from the command line.

use std::io::Write;

use anyhow::{Context, Result, bail};
use clap::{Subcommand, ValueEnum};
use skillcert_app::App;
use skillcert_app::certification::certificates::{self, Certificate};
use skillcert_domain::certification::CertificateStatus;
use skillcert_store::certification::CertificateQuery;

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Json,
    Csv,
}

#[derive(Subcommand)]
pub enum CertificateCommand {
    /// The certificate register (S1 template 5), newest first.
    List {
        /// valid, expiring, expired, suspended, revoked or superseded.
        #[arg(long)]
        status: Option<String>,
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
    },
    /// Prints the signed credential (Open Badges 3.0, eddsa-jcs-2022) of a certificate.
    Export { number: String },
}

#[derive(Subcommand)]
pub enum IssuerCommand {
    /// Lists the issuer keys (did:key) and which one signs.
    Show,
    /// Makes a new key the signing key; old keys stay, so old certificates still verify.
    Rotate,
}

fn csv_row(c: &Certificate) -> Vec<String> {
    vec![
        c.row.number.clone(),
        c.row.name.clone(),
        c.row.employee_no.clone(),
        c.row.department.clone(),
        c.row.level_key.clone(),
        c.level.zh_cn.clone(),
        c.row.issued_on.to_string(),
        c.row.valid_until.to_string(),
        c.row.reevaluation_due.to_string(),
        c.status.key().to_string(),
        c.row.revoked_reason.clone().unwrap_or_default(),
        c.row.superseded_by_number.clone().unwrap_or_default(),
    ]
}

pub async fn run_certificate(app: &App, cmd: &CertificateCommand) -> Result<()> {
    match cmd {
        CertificateCommand::List { status, format } => {
            if let Some(s) = status
                && CertificateStatus::parse(s).is_none()
            {
                bail!(
                    "unknown status {s:?}; use one of: valid, expiring, expired, suspended, revoked, superseded"
                );
            }
            let page = certificates::list_all(
                app,
                CertificateQuery {
                    status: status.clone(),
                    per_page: 0,
                    ..CertificateQuery::default()
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            let mut out = std::io::stdout().lock();
            match format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut out, &page.items)?;
                    writeln!(out)?;
                }
                Format::Csv => {
                    let mut w = csv::Writer::from_writer(out);
                    w.write_record([
                        "number",
                        "name",
                        "employee_no",
                        "department",
                        "level",
                        "level_name",
                        "issued_on",
                        "valid_until",
                        "reevaluation_due",
                        "status",
                        "revoked_reason",
                        "superseded_by",
                    ])?;
                    for c in &page.items {
                        w.write_record(csv_row(c))?;
                    }
                    w.flush()?;
                }
            }
            Ok(())
        }
        CertificateCommand::Export { number } => {
            let credential = match certificates::credential(app, number).await {
                Ok(c) => c,
                Err(skillcert_app::AppError::NotFound) => {
                    bail!("no certificate with number {number}")
                }
                Err(e) => return Err(anyhow::anyhow!("{e}")),
            };
            let mut out = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut out, &credential)?;
            writeln!(out)?;
            Ok(())
        }
    }
}

pub fn run_issuer(app: &App, cmd: &IssuerCommand) -> Result<()> {
    match cmd {
        IssuerCommand::Show => {
            for k in app.issuer.keys().map_err(|e| anyhow::anyhow!("{e}"))? {
                println!(
                    "{} {} {}",
                    if k.active { "*" } else { " " },
                    k.created.map(|c| c.to_rfc3339()).unwrap_or_default(),
                    k.did
                );
            }
            Ok(())
        }
        IssuerCommand::Rotate => {
            let did = app
                .issuer
                .rotate()
                .map_err(|e| anyhow::anyhow!("{e}"))
                .context("rotating the issuer key")?;
            println!("New signing key: {did}");
            println!("Certificates signed with older keys still verify.");
            Ok(())
        }
    }
}

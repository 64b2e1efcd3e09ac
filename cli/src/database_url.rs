//! Where a command's database comes from: `--database-url`, else `DATABASE_URL`, else a
//! `DATABASE_URL=` line of the nearest `.env` (this folder or a parent), as everywhere in Quarry.

use std::path::PathBuf;

/// The database URL to use, or an error saying where it was looked for.
pub(crate) fn resolve(flag: Option<&str>) -> Result<String, crate::error::CliError> {
    if let Some(url) = flag {
        return Ok(url.to_owned());
    }
    if let Ok(url) = std::env::var("DATABASE_URL")
        && !url.is_empty()
    {
        return Ok(url);
    }
    let mut dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    loop {
        let env = dir.join(".env");
        if env.is_file()
            && let Ok(iter) = dotenvy::from_path_iter(&env)
        {
            for item in iter.flatten() {
                if item.0 == "DATABASE_URL" {
                    return Ok(item.1);
                }
            }
        }
        if !dir.pop() {
            return Err(crate::error::CliError::NoDatabaseUrl);
        }
    }
}

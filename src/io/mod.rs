//! File formats: the reference's CSV for problems and solutions.

pub mod csv;

pub use self::csv::{
    file_key, from_csv, read_csv, read_csv_file, same_file, to_csv, write_csv, write_csv_file, write_file_atomic,
    Parsed,
};

//! The catalog's pieces: the form text and its validation, the product form, the image
//! picker, and a list row.

pub mod draft;
pub mod image_picker;
pub mod product_form;
pub mod product_row;

//! The HTML dossier: a static site of the whole dossier (see `dossier report --html`).

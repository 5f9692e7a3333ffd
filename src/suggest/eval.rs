//! SKELETON: precision, recall and F1 of suggestions against a gold project (a helper writes it).

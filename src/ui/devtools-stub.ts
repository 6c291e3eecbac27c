// Ink loads react-devtools-core only when DEV=true; the bundle replaces it with nothing.
export default { initialize() {}, connectToDevTools() {} };

// The release executable's stand-in for react-devtools-core: Ink loads it only when DEV=true.
export default { initialize() {}, connectToDevTools() {} };

// Entry: Pinia, the router, the session-expiry handler and Element Plus's base styles.
import { createApp } from "vue";
import { createPinia } from "pinia";
import { ElMessage } from "element-plus";
import "element-plus/theme-chalk/base.css";
import "element-plus/theme-chalk/el-message.css";
import "element-plus/theme-chalk/el-message-box.css";
import "./style.css";
import App from "./App.vue";
import { router } from "./router";
import { onUnauthorized, setDataScript } from "./api/client";
import { script } from "./i18n";
import { useSessionStore } from "./stores/session";

setDataScript(script.value);
const app = createApp(App);
app.use(createPinia());
app.use(router);
onUnauthorized(() => {
  const session = useSessionStore();
  if (session.user) {
    session.clear();
    router.push({ name: "login" });
  }
});
// An unexpected failure (not an API error, which each page shows itself) is shown, not swallowed.
app.config.errorHandler = (err) => {
  console.error(err);
  ElMessage.error(String(err));
};
app.mount("#app");
